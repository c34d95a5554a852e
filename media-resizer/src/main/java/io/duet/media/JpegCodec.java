package io.duet.media;

import java.awt.image.BufferedImage;

/**
 * Decodes and encodes JPEG. Two implementations: {@link TurboJpegCodec} (libjpeg-turbo through the FFM
 * API: DCT-domain scaling, SIMD) where the native library is installed, {@link ImageIoJpegCodec}
 * (pure Java, ImageIO source subsampling) everywhere else.
 */
public interface JpegCodec {

    /**
     * Decodes at the smallest scale whose width and height are at least {@code minWidth} x
     * {@code minHeight} (or at full size when the image is smaller), as {@code TYPE_INT_RGB}.
     *
     * <p>{@code width} x {@code height} is the size Duet's own header parse read and checked against
     * the pixel limit. The decoder reads the frame header itself, and a crafted file can make the two
     * disagree (libjpeg skips an {@code FF 00} pair as stray data where a plain marker walk takes it
     * for a segment and jumps over its length, so a second frame header hidden in there is seen by one
     * parser only). So the decoder's own dimensions are compared with the checked ones before any
     * pixel buffer is allocated, and a mismatch is refused as {@code dimension-mismatch}.
     *
     * @throws ImageRejectedException for corrupt, truncated or unsupported data, or a size other than
     *     the checked one; any warning of the decoder counts as an error, so a half-decoded grey image
     *     is never published
     */
    BufferedImage decode(byte[] jpeg, int width, int height, int minWidth, int minHeight) throws ImageRejectedException;

    static ImageRejectedException mismatch() {
        return new ImageRejectedException(
                "dimension-mismatch", "the decoder reads another size than the checked header");
    }

    /** Baseline JPEG of a {@code TYPE_INT_RGB} image, 4:2:0, with no metadata but JFIF. */
    byte[] encode(BufferedImage rgb, float quality);

    String name();

    /** The scale n/8 (n = 1..8) for a decode of at least the given size. */
    static int eighths(int width, int height, int minWidth, int minHeight) {
        for (int n = 1; n < 8; n++) {
            if (scaled(width, n) >= Math.min(minWidth, width) && scaled(height, n) >= Math.min(minHeight, height)) {
                return n;
            }
        }
        return 8;
    }

    /** The size libjpeg gives a dimension at scale n/8 (rounded up). */
    static int scaled(int dimension, int n) {
        return (dimension * n + 7) / 8;
    }
}
