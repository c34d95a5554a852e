package io.duet.media;

import io.duet.api.media.ImageFormat;
import io.duet.api.media.ImageHeader;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import net.coobird.thumbnailator.Thumbnails;

/**
 * The resize as a pure function: original bytes in, encoded variants out. It checks the header
 * before decoding (type, pixel count, colour model, bit depth), decodes once at the smallest scale
 * that still covers the largest variant (shrink-on-load), turns the pixels upright by the EXIF
 * orientation, then derives each variant from the previous, larger one (a cascade), with Thumbnailator.
 * Outputs carry no metadata: the original's EXIF (GPS, camera, times) never reaches a variant.
 */
public final class Pipeline {
    static final int[] PHOTO_SIZES = {2048, 1080, 320};
    static final int[] AVATAR_SIZES = {512, 256, 64};

    /** The longest sides of a photo's variants, largest first (the resize benchmark's baseline makes the same). */
    public static int[] photoSizes() {
        return PHOTO_SIZES.clone();
    }

    /** One encoded variant; {@code name} is its size, the path segment clients ask for. */
    public record Rendition(String name, byte[] bytes, String contentType, int width, int height) {}

    private final JpegCodec jpeg;
    private final Optional<LibPngDecoder> png;
    private final float quality;
    private final long maxPixels;

    /**
     * @param png libpng for PNG decoding; empty: ImageIO's pure-Java reader (which also reads WebP
     *     either way)
     */
    public Pipeline(JpegCodec jpeg, Optional<LibPngDecoder> png, float quality, long maxPixels) {
        this.jpeg = jpeg;
        this.png = png;
        this.quality = quality;
        this.maxPixels = maxPixels;
    }

    /** The decoders in use, for logs: {@code libjpeg-turbo+libpng}, {@code imageio+imageio}, ... */
    public String decoders() {
        return jpeg.name() + "+" + (png.isPresent() ? "libpng" : "imageio");
    }

    /** @param kind {@code avatar} (square crops 512, 256, 64) or {@code photo} (long edge 2048, 1080, 320) */
    public List<Rendition> render(byte[] original, String kind) throws ImageRejectedException {
        boolean avatar = kind.equals("avatar");
        ImageHeader header = check(original);
        Decoded decoded = decode(original, header, avatar);
        BufferedImage current = decoded.image();
        int orientation = decoded.orientation();
        boolean alpha = current.getType() == BufferedImage.TYPE_INT_ARGB;

        List<Rendition> renditions = new ArrayList<>(3);
        if (avatar) {
            // A centred square is the same region in either orientation.
            int side = Math.min(current.getWidth(), current.getHeight());
            current =
                    current.getSubimage((current.getWidth() - side) / 2, (current.getHeight() - side) / 2, side, side);
        }
        BufferedImage encoded = null;
        for (int size : avatar ? AVATAR_SIZES : PHOTO_SIZES) {
            // Sizes are computed on the stored pixels: a quarter turn swaps width and height, not the long edge.
            int longEdge = Math.max(current.getWidth(), current.getHeight());
            if (longEdge > size) {
                double scale = (double) size / longEdge;
                int width = Math.max(1, (int) Math.round(current.getWidth() * scale));
                int height = Math.max(1, (int) Math.round(current.getHeight() * scale));
                current = resize(current, width, height);
            } else if (current.getRaster().getParent() != null) {
                current = copy(current);
            }
            // Turned upright once, on the largest variant rather than on the (bigger) decoded pixels.
            current = Orientation.apply(current, orientation);
            orientation = 1;
            String name = Integer.toString(size);
            if (current == encoded) {
                // A small original gives the same pixels for several sizes: encode them once.
                Rendition same = renditions.getLast();
                renditions.add(new Rendition(name, same.bytes(), same.contentType(), same.width(), same.height()));
            } else {
                renditions.add(encode(name, current, alpha));
                encoded = current;
            }
        }
        return renditions;
    }

    /** Decoded pixels in the stored orientation, and the EXIF orientation that turns them upright. */
    private record Decoded(BufferedImage image, int orientation) {}

    private ImageHeader check(byte[] original) throws ImageRejectedException {
        try {
            ImageHeader.Source source = ImageHeader.Source.of(original);
            ImageFormat format = ImageHeader.sniff(source);
            if (!format.accepted()) {
                throw new ImageRejectedException("unsupported-format", "not a JPEG, PNG or WebP");
            }
            ImageHeader header = ImageHeader.read(source)
                    .orElseThrow(() -> new ImageRejectedException("corrupt-image", "no readable header"));
            if (header.pixels() > maxPixels) {
                throw new ImageRejectedException("too-many-pixels", "over the pixel limit");
            }
            if (format == ImageFormat.JPEG && header.components() == 4) {
                throw new ImageRejectedException("unsupported-color-space", "CMYK or YCCK JPEG");
            }
            if (format == ImageFormat.JPEG && header.components() != 1 && header.components() != 3) {
                throw new ImageRejectedException("corrupt-image", "unexpected JPEG component count");
            }
            if (header.bitDepth() > 8) {
                throw new ImageRejectedException("unsupported-bit-depth", "more than 8 bits per sample");
            }
            if (header.animated()) {
                throw new ImageRejectedException("unsupported-format", "animated image");
            }
            return header;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Decoded decode(byte[] original, ImageHeader header, boolean avatar) throws ImageRejectedException {
        if (header.format() == ImageFormat.JPEG) {
            int orientation = Orientation.of(original);
            int width = header.width();
            int height = header.height();
            boolean landscape = width >= height;
            // Shrink-on-load target, in the stored (not yet rotated) orientation: the long edge must
            // cover the largest photo variant, the short edge the largest avatar.
            int need = avatar ? AVATAR_SIZES[0] : PHOTO_SIZES[0];
            boolean constrainWidth = avatar ? !landscape : landscape;
            BufferedImage decoded =
                    jpeg.decode(original, width, height, constrainWidth ? need : 1, constrainWidth ? 1 : need);
            int n = JpegCodec.eighths(width, height, constrainWidth ? need : 1, constrainWidth ? 1 : need);
            if (decoded.getWidth() > width
                    || decoded.getHeight() > height
                    || (jpeg instanceof TurboJpegCodec
                            && (decoded.getWidth() != JpegCodec.scaled(width, n)
                                    || decoded.getHeight() != JpegCodec.scaled(height, n)))) {
                throw new ImageRejectedException("dimension-mismatch", "decoded size differs from the header");
            }
            return new Decoded(decoded, orientation);
        }
        if (header.format() == ImageFormat.PNG && png.isPresent()) {
            return new Decoded(png.get().decode(original, header.width(), header.height()), 1);
        }
        BufferedImage decoded = decodeWithImageIo(original, header);
        if (decoded.getWidth() != header.width() || decoded.getHeight() != header.height()) {
            throw new ImageRejectedException("dimension-mismatch", "decoded size differs from the header");
        }
        return new Decoded(
                decoded.getColorModel().hasAlpha() && !opaque(decoded) ? toIntArgb(decoded) : toIntRgb(decoded), 1);
    }

    private static BufferedImage decodeWithImageIo(byte[] original, ImageHeader header) throws ImageRejectedException {
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(original))) {
            var readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new ImageRejectedException("unsupported-format", "no decoder for " + header.format());
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(input, true, true);
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener((source, warning) -> warnings.append(warning));
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new ImageRejectedException("corrupt-image", "the decoder reported damage");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            boolean complete = header.format() != ImageFormat.PNG || endsWithIend(original);
            throw new ImageRejectedException(
                    complete ? "corrupt-image" : "truncated-image", "the image could not be decoded", e);
        }
    }

    private static boolean opaque(BufferedImage image) {
        var alpha = image.getAlphaRaster();
        if (alpha == null) {
            return true;
        }
        int[] row = new int[image.getWidth()];
        int max = (1 << alpha.getSampleModel().getSampleSize(0)) - 1;
        for (int y = 0; y < image.getHeight(); y++) {
            alpha.getSamples(0, y, row.length, 1, 0, row);
            for (int a : row) {
                if (a < max) {
                    return false;
                }
            }
        }
        return true;
    }

    private static BufferedImage resize(BufferedImage source, int width, int height) {
        try {
            return Thumbnails.of(source)
                    .forceSize(width, height)
                    .imageType(source.getType())
                    .asBufferedImage();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Rendition encode(String name, BufferedImage image, boolean alpha) {
        if (alpha) {
            try (var out = new ByteArrayOutputStream()) {
                ImageIO.write(image, "png", out);
                return new Rendition(name, out.toByteArray(), "image/png", image.getWidth(), image.getHeight());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Rendition(name, jpeg.encode(image, quality), "image/jpeg", image.getWidth(), image.getHeight());
    }

    private static BufferedImage copy(BufferedImage image) {
        BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), image.getType());
        Graphics2D g = copy.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return copy;
    }

    static BufferedImage toIntRgb(BufferedImage image) {
        return convert(image, BufferedImage.TYPE_INT_RGB);
    }

    private static BufferedImage toIntArgb(BufferedImage image) {
        return convert(image, BufferedImage.TYPE_INT_ARGB);
    }

    private static BufferedImage convert(BufferedImage image, int type) {
        if (image.getType() == type
                && image.getRaster().getDataBuffer() instanceof DataBufferInt
                && image.getRaster().getParent() == null) {
            return image;
        }
        BufferedImage converted = new BufferedImage(image.getWidth(), image.getHeight(), type);
        Graphics2D g = converted.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return converted;
    }

    static boolean endsWithEoi(byte[] jpeg) {
        for (int i = jpeg.length - 2; i >= Math.max(0, jpeg.length - 64); i--) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    static boolean endsWithIend(byte[] png) {
        return png.length >= 12
                && new String(png, png.length - 8, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals("IEND");
    }
}
