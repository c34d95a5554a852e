package io.duet.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.TestImages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The resize function on real images, through both sets of decoders: native (libjpeg-turbo and libpng,
 * which must load on this machine) and pure Java (ImageIO).
 */
class PipelineTest {
    private static final long MAX_PIXELS = 50_000_000;

    /** A set of decoders the pipeline can run on. */
    record Decoders(String name, JpegCodec jpeg, Optional<LibPngDecoder> png) {
        Pipeline pipeline() {
            return new Pipeline(jpeg, png, 0.82f, MAX_PIXELS);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Decoders> decoders() {
        JpegCodec turbo = TurboJpegCodec.load()
                .orElseThrow(
                        () -> new AssertionError(
                                "libturbojpeg did not load: install libturbojpeg0 (Debian/Ubuntu) or set DUET_TURBOJPEG_LIBRARY"));
        LibPngDecoder png = LibPngDecoder.load()
                .orElseThrow(() -> new AssertionError(
                        "libpng did not load: install libpng16-16 (Debian/Ubuntu) or set DUET_LIBPNG_LIBRARY"));
        return Stream.of(
                new Decoders("native", turbo, Optional.of(png)),
                new Decoders("java", new ImageIoJpegCodec(), Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void givenPhoneJpegRotatedByExif_whenRendered_thenUprightVariantsOfExactSizeWithoutMetadata(Decoders decoders)
            throws Exception {
        BufferedImage stored = TestImages.photo(4000, 3000, 11);
        paintCorner(stored);
        byte[] original = TestImages.withExif(TestImages.jpeg(stored, 0.9f), 6);

        List<Pipeline.Rendition> variants = decoders.pipeline().render(original, "photo");

        assertEquals(List.of("2048:1536x2048", "1080:810x1080", "320:240x320"), describe(variants));
        for (Pipeline.Rendition variant : variants) {
            String text = new String(variant.bytes(), StandardCharsets.ISO_8859_1);
            assertFalse(text.contains("Exif"), variant.name() + " carries EXIF");
            assertFalse(text.contains(TestImages.GPS_MARKER), variant.name() + " carries the GPS block");
            assertEquals("image/jpeg", variant.contentType());
        }
        // Orientation 6 turns the stored top-left corner (red) into the displayed top-right one.
        BufferedImage small =
                ImageIO.read(new ByteArrayInputStream(variants.get(1).bytes()));
        assertRed(small.getRGB(small.getWidth() - 20, 20));
        assertFalse(isRed(small.getRGB(20, 20)));
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void givenSmallPhoto_whenRendered_thenNeverUpscaled(Decoders decoders) throws Exception {
        byte[] original = TestImages.jpeg(TestImages.photo(800, 600, 3), 0.9f);

        var variants = decoders.pipeline().render(original, "photo");

        assertEquals(List.of("2048:800x600", "1080:800x600", "320:320x240"), describe(variants));
        assertSame(variants.get(0).bytes(), variants.get(1).bytes(), "the same pixels are encoded once");
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void givenLandscapeAvatar_whenRendered_thenCentredSquareCrops(Decoders decoders) throws Exception {
        byte[] original = TestImages.jpeg(TestImages.photo(3000, 2000, 5), 0.9f);

        var variants = decoders.pipeline().render(original, "avatar");

        assertEquals(List.of("512:512x512", "256:256x256", "64:64x64"), describe(variants));
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void givenPngWithTransparency_whenRendered_thenPngVariantsKeepAlpha(Decoders decoders) throws Exception {
        byte[] original = TestImages.png(TestImages.sticker(1200, 1200));

        var variants = decoders.pipeline().render(original, "photo");

        assertEquals(List.of("2048:1200x1200", "1080:1080x1080", "320:320x320"), describe(variants));
        BufferedImage small =
                ImageIO.read(new ByteArrayInputStream(variants.get(2).bytes()));
        assertEquals("image/png", variants.get(2).contentType());
        assertEquals(0, small.getRGB(2, 2) >>> 24, "corner stays transparent");
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void givenOpaquePngScreenshot_whenRendered_thenJpegVariants(Decoders decoders) throws Exception {
        byte[] original = TestImages.png(TestImages.screenshot(1600, 1200, 2));

        var variants = decoders.pipeline().render(original, "photo");

        assertEquals("image/jpeg", variants.getFirst().contentType());
        assertEquals(List.of("2048:1600x1200", "1080:1080x810", "320:320x240"), describe(variants));
    }

    @Test
    void givenTurboJpeg_whenDecodingFor2048_thenDecodesAtFiveEighthsNotFullSize() throws Exception {
        byte[] original = TestImages.jpeg(TestImages.photo(4000, 3000, 1), 0.9f);

        BufferedImage decoded = decoders().findFirst().orElseThrow().jpeg().decode(original, 4000, 3000, 2048, 1);

        assertEquals(2500, decoded.getWidth());
        assertEquals(1875, decoded.getHeight());
    }

    static Stream<Arguments> hostile() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        for (Decoders decoders : decoders().toList()) {
            for (HostileCorpus.Entry entry : HostileCorpus.entries().values()) {
                cases.add(Arguments.of(decoders.name(), entry.name(), decoders, entry));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("hostile")
    void givenHostileFile_whenRendered_thenRejectedWithItsCode(
            String decodersName, String file, Decoders decoders, HostileCorpus.Entry entry) {
        var pipeline = decoders.pipeline();

        String outcome;
        try {
            var variants = pipeline.render(entry.bytes(), "photo");
            outcome = "ready";
            for (var variant : variants) {
                assertFalse(new String(variant.bytes(), StandardCharsets.ISO_8859_1).contains("payload.sh"));
            }
        } catch (ImageRejectedException e) {
            outcome = e.code();
        }

        assertEquals(decoders.name().equals("java") ? entry.javaWorker() : entry.worker(), outcome);
    }

    private static List<String> describe(List<Pipeline.Rendition> variants) {
        return variants.stream()
                .map(v -> v.name() + ":" + v.width() + "x" + v.height())
                .toList();
    }

    private static void paintCorner(BufferedImage image) {
        var g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 400, 400);
        g.dispose();
    }

    private static boolean isRed(int rgb) {
        Color c = new Color(rgb);
        return c.getRed() > 200 && c.getGreen() < 60 && c.getBlue() < 60;
    }

    private static void assertRed(int rgb) {
        assertTrue(isRed(rgb), "expected red, got " + Integer.toHexString(rgb));
    }
}
