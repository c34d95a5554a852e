package io.duet.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The resize function on real images, through both JPEG codecs (libjpeg-turbo must load on this machine). */
class PipelineTest {
    private static final long MAX_PIXELS = 50_000_000;

    static Stream<JpegCodec> codecs() {
        JpegCodec turbo = TurboJpegCodec.load().orElseThrow(() -> new AssertionError(
                "libturbojpeg did not load: install libturbojpeg0 (Debian/Ubuntu) or set DUET_TURBOJPEG_LIBRARY"));
        return Stream.of(turbo, new ImageIoJpegCodec());
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void givenPhoneJpegRotatedByExif_whenRendered_thenUprightVariantsOfExactSizeWithoutMetadata(JpegCodec codec) throws Exception {
        BufferedImage stored = TestImages.photo(4000, 3000, 11);
        paintCorner(stored);
        byte[] original = TestImages.withExif(TestImages.jpeg(stored, 0.9f), 6);

        List<Pipeline.Rendition> variants = new Pipeline(codec, 0.82f, MAX_PIXELS).render(original, "photo");

        assertEquals(List.of("2048:1536x2048", "1080:810x1080", "320:240x320"), describe(variants));
        for (Pipeline.Rendition variant : variants) {
            String text = new String(variant.bytes(), StandardCharsets.ISO_8859_1);
            assertFalse(text.contains("Exif"), variant.name() + " carries EXIF");
            assertFalse(text.contains(TestImages.GPS_MARKER), variant.name() + " carries the GPS block");
            assertEquals("image/jpeg", variant.contentType());
        }
        // Orientation 6 turns the stored top-left corner (red) into the displayed top-right one.
        BufferedImage small = ImageIO.read(new ByteArrayInputStream(variants.get(1).bytes()));
        assertRed(small.getRGB(small.getWidth() - 20, 20));
        assertFalse(isRed(small.getRGB(20, 20)));
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void givenSmallPhoto_whenRendered_thenNeverUpscaled(JpegCodec codec) throws Exception {
        byte[] original = TestImages.jpeg(TestImages.photo(800, 600, 3), 0.9f);

        var variants = new Pipeline(codec, 0.82f, MAX_PIXELS).render(original, "photo");

        assertEquals(List.of("2048:800x600", "1080:800x600", "320:320x240"), describe(variants));
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void givenLandscapeAvatar_whenRendered_thenCentredSquareCrops(JpegCodec codec) throws Exception {
        byte[] original = TestImages.jpeg(TestImages.photo(3000, 2000, 5), 0.9f);

        var variants = new Pipeline(codec, 0.82f, MAX_PIXELS).render(original, "avatar");

        assertEquals(List.of("512:512x512", "256:256x256", "64:64x64"), describe(variants));
    }

    @Test
    void givenPngWithTransparency_whenRendered_thenPngVariantsKeepAlpha() throws Exception {
        byte[] original = TestImages.png(TestImages.sticker(1200, 1200));

        var variants = new Pipeline(new ImageIoJpegCodec(), 0.82f, MAX_PIXELS).render(original, "photo");

        assertEquals(List.of("2048:1200x1200", "1080:1080x1080", "320:320x320"), describe(variants));
        BufferedImage small = ImageIO.read(new ByteArrayInputStream(variants.get(2).bytes()));
        assertEquals("image/png", variants.get(2).contentType());
        assertEquals(0, small.getRGB(2, 2) >>> 24, "corner stays transparent");
    }

    @Test
    void givenOpaquePngScreenshot_whenRendered_thenJpegVariants() throws Exception {
        byte[] original = TestImages.png(TestImages.screenshot(1600, 1200, 2));

        var variants = new Pipeline(new ImageIoJpegCodec(), 0.82f, MAX_PIXELS).render(original, "photo");

        assertEquals("image/jpeg", variants.getFirst().contentType());
        assertEquals(List.of("2048:1600x1200", "1080:1080x810", "320:320x240"), describe(variants));
    }

    @Test
    void givenTurboJpeg_whenDecodingFor2048_thenDecodesAtFiveEighthsNotFullSize() throws Exception {
        byte[] original = TestImages.jpeg(TestImages.photo(4000, 3000, 1), 0.9f);

        BufferedImage decoded = codecs().findFirst().orElseThrow().decode(original, 2048, 1);

        assertEquals(2500, decoded.getWidth());
        assertEquals(1875, decoded.getHeight());
    }

    static Stream<Arguments> hostile() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        for (JpegCodec codec : codecs().toList()) {
            for (HostileCorpus.Entry entry : HostileCorpus.entries().values()) {
                cases.add(Arguments.of(codec.name(), entry.name(), codec, entry));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("hostile")
    void givenHostileFile_whenRendered_thenRejectedWithItsCode(String codecName, String file, JpegCodec codec,
            HostileCorpus.Entry entry) {
        var pipeline = new Pipeline(codec, 0.82f, MAX_PIXELS);

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

        assertEquals(entry.worker(), outcome);
    }

    private static List<String> describe(List<Pipeline.Rendition> variants) {
        return variants.stream().map(v -> v.name() + ":" + v.width() + "x" + v.height()).toList();
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
