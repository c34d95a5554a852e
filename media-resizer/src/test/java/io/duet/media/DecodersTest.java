package io.duet.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.duet.api.testing.TestImages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** libpng against ImageIO pixel for pixel, and the EXIF orientations against the EXIF definitions. */
class DecodersTest {
    private static final LibPngDecoder LIBPNG = LibPngDecoder.load()
            .orElseThrow(() -> new AssertionError(
                    "libpng did not load: install libpng16-16 (Debian/Ubuntu) or set DUET_LIBPNG_LIBRARY"));

    static Stream<Arguments> pngs() {
        BufferedImage rgb = TestImages.screenshot(333, 217, 7);
        BufferedImage translucent = TestImages.sticker(301, 199);
        return Stream.of(
                Arguments.of("rgb", convert(rgb, BufferedImage.TYPE_INT_RGB), BufferedImage.TYPE_INT_RGB),
                Arguments.of("rgba, all opaque", convert(rgb, BufferedImage.TYPE_INT_ARGB), BufferedImage.TYPE_INT_RGB),
                Arguments.of("rgba, translucent", translucent, BufferedImage.TYPE_INT_ARGB),
                Arguments.of("palette", convert(rgb, BufferedImage.TYPE_BYTE_INDEXED), BufferedImage.TYPE_INT_RGB),
                Arguments.of("grey", convert(rgb, BufferedImage.TYPE_BYTE_GRAY), BufferedImage.TYPE_INT_RGB));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pngs")
    void givenPng_whenDecodedByLibpng_thenSamePixelsAsImageIo(String kind, BufferedImage image, int expectedType)
            throws Exception {
        byte[] png = TestImages.png(image);
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(png));
        if (reference.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            // ImageIO's grey colour space is linear and would brighten the samples; a PNG grey sample is
            // the value of all three channels.
            reference = greyAsRgb(reference);
        }

        BufferedImage decoded = LIBPNG.decode(png, reference.getWidth(), reference.getHeight());

        assertEquals(expectedType, decoded.getType());
        int mask = expectedType == BufferedImage.TYPE_INT_ARGB ? 0xFFFFFFFF : 0x00FFFFFF;
        assertArrayEquals(pixels(reference, mask), pixels(decoded, mask));
    }

    @Test
    void givenPngWhoseHeaderSaysAnotherSize_whenDecodedByLibpng_thenRefusedBeforeDecoding() throws Exception {
        byte[] png = TestImages.png(TestImages.screenshot(120, 80, 3));

        var rejected = org.junit.jupiter.api.Assertions.assertThrows(
                ImageRejectedException.class, () -> LIBPNG.decode(png, 60, 80));

        assertEquals("dimension-mismatch", rejected.code());
    }

    static Stream<Arguments> jpegCodecs() {
        // libjpeg-turbo 2.1's TurboJPEG API fails the header on libjpeg's stray-data warning itself
        // (corrupt-image); the comparison is its second line. ImageIO (TwelveMonkeys) reads the hidden
        // frame and, before the comparison, allocated 322 MB.
        return Stream.of(
                Arguments.of(
                        "libjpeg-turbo",
                        TurboJpegCodec.load().orElseThrow(() -> new AssertionError("libturbojpeg did not load")),
                        "corrupt-image"),
                Arguments.of("imageio", new ImageIoJpegCodec(), "dimension-mismatch"));
    }

    /**
     * The file that Duet's header parse and libjpeg read differently: the check sees 1200x900, the
     * decoder a hidden 60000x60000 frame. Refused on the decoder's own header, before the pixel buffer
     * (7500x7500 ints, 225 MB, at the 1/8 scale the resize would ask for) is allocated; the bytes this
     * thread allocates during the call prove it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegCodecs")
    void givenJpegWithAFrameHeaderOnlyLibjpegSees_whenDecoded_thenRefusedBeforeTheBufferIsAllocated(
            String name, JpegCodec codec, String code) throws Exception {
        byte[] jpeg = HostileCorpus.hiddenFrameJpeg(TestImages.jpeg(TestImages.photo(1200, 900, 7), 0.9f));
        var checked = io.duet.api.media.ImageHeader.read(io.duet.api.media.ImageHeader.Source.of(jpeg))
                .orElseThrow();
        assertEquals("1200x900", checked.width() + "x" + checked.height());
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        var rejected = org.junit.jupiter.api.Assertions.assertThrows(
                ImageRejectedException.class, () -> codec.decode(jpeg, checked.width(), checked.height(), 2048, 1));

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(code, rejected.code());
        org.junit.jupiter.api.Assertions.assertTrue(allocated < 32L << 20, "allocated " + (allocated >> 20) + " MB");
    }

    @Test
    void givenTruncatedPng_whenDecodedByLibpng_thenTruncatedImage() throws Exception {
        byte[] png = TestImages.png(TestImages.photo(400, 300, 4));
        byte[] cut = Arrays.copyOf(png, png.length / 2);

        var rejected = org.junit.jupiter.api.Assertions.assertThrows(
                ImageRejectedException.class, () -> LIBPNG.decode(cut, 400, 300));

        assertEquals("truncated-image", rejected.code());
    }

    /**
     * Each EXIF orientation names where the stored image's first row and column belong: the displayed
     * top-left, top-right, bottom-right and bottom-left pixels come from these stored corners
     * (TL, TR, BR, BL of a w x h image).
     */
    @Test
    void givenEachExifOrientation_whenApplied_thenCornersLandWhereExifSays() {
        int w = 150;
        int h = 70; // more than one 64-pixel tile each way, and not a multiple of it
        BufferedImage stored = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                stored.setRGB(x, y, y * w + x);
            }
        }
        int tl = 0;
        int tr = w - 1;
        int br = (h - 1) * w + w - 1;
        int bl = (h - 1) * w;
        // displayed TL, TR, BR, BL per orientation 1..8
        List<int[]> expected = List.of(
                new int[] {tl, tr, br, bl},
                new int[] {tr, tl, bl, br},
                new int[] {br, bl, tl, tr},
                new int[] {bl, br, tr, tl},
                new int[] {tl, bl, br, tr},
                new int[] {bl, tl, tr, br},
                new int[] {br, tr, tl, bl},
                new int[] {tr, br, bl, tl});

        for (int orientation = 1; orientation <= 8; orientation++) {
            BufferedImage upright = Orientation.apply(stored, orientation);
            boolean swapped = Orientation.swapsAxes(orientation);
            assertEquals(swapped ? h : w, upright.getWidth(), "width, orientation " + orientation);
            assertEquals(swapped ? w : h, upright.getHeight(), "height, orientation " + orientation);
            int dw = upright.getWidth();
            int dh = upright.getHeight();
            int[] corners = {
                upright.getRGB(0, 0) & 0xFFFFFF, upright.getRGB(dw - 1, 0) & 0xFFFFFF,
                upright.getRGB(dw - 1, dh - 1) & 0xFFFFFF, upright.getRGB(0, dh - 1) & 0xFFFFFF
            };
            assertArrayEquals(expected.get(orientation - 1), corners, "orientation " + orientation);
            int[] all = pixels(upright, 0xFFFFFF);
            Arrays.sort(all);
            for (int i = 0; i < all.length; i++) {
                assertEquals(i, all[i], "every stored pixel exactly once, orientation " + orientation);
            }
        }
        assertSame(stored, Orientation.apply(stored, 1));
    }

    private static BufferedImage greyAsRgb(BufferedImage grey) {
        BufferedImage rgb = new BufferedImage(grey.getWidth(), grey.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < grey.getHeight(); y++) {
            for (int x = 0; x < grey.getWidth(); x++) {
                int g = grey.getRaster().getSample(x, y, 0);
                rgb.setRGB(x, y, g << 16 | g << 8 | g);
            }
        }
        return rgb;
    }

    private static int[] pixels(BufferedImage image, int mask) {
        int[] argb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        for (int i = 0; i < argb.length; i++) {
            argb[i] &= mask;
        }
        return argb;
    }

    private static BufferedImage convert(BufferedImage image, int type) {
        BufferedImage converted = new BufferedImage(image.getWidth(), image.getHeight(), type);
        var g = converted.createGraphics();
        g.setColor(Color.WHITE);
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return converted;
    }
}
