package io.duet.api.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * What an image says about itself before any pixel is decoded: its type from the magic bytes and its
 * dimensions from the header (JPEG SOF, PNG IHDR, WebP VP8/VP8L/VP8X, GIF screen descriptor). Reading
 * it costs a few small reads however large the file is, so a decompression bomb is refused on this
 * alone. The header may lie; the decoder's result is checked against it again.
 *
 * @param components colour components of a JPEG frame (1 grey, 3 colour, 4 CMYK/YCCK); 0 otherwise
 * @param bitDepth bits per sample (JPEG precision, PNG bit depth); 8 for WebP and GIF
 * @param animated a WebP with the animation flag or a GIF (whose frames are not looked at)
 */
public record ImageHeader(ImageFormat format, int width, int height, int components, int bitDepth, boolean animated) {

    public long pixels() {
        return (long) width * height;
    }

    /** Random access to the bytes of an upload, in memory or in a file. */
    public interface Source {
        /** Reads up to {@code length} bytes at {@code position}; fewer only at the end. */
        int read(long position, byte[] into, int length) throws IOException;

        long size() throws IOException;

        static Source of(byte[] bytes) {
            return new Source() {
                @Override
                public int read(long position, byte[] into, int length) {
                    if (position >= bytes.length) {
                        return 0;
                    }
                    int n = (int) Math.min(length, bytes.length - position);
                    System.arraycopy(bytes, (int) position, into, 0, n);
                    return n;
                }

                @Override
                public long size() {
                    return bytes.length;
                }
            };
        }

        static Source of(FileChannel file) {
            return new Source() {
                @Override
                public int read(long position, byte[] into, int length) throws IOException {
                    ByteBuffer buffer = ByteBuffer.wrap(into, 0, length);
                    while (buffer.hasRemaining()) {
                        if (file.read(buffer, position + buffer.position()) < 0) {
                            break;
                        }
                    }
                    return buffer.position();
                }

                @Override
                public long size() throws IOException {
                    return file.size();
                }
            };
        }
    }

    /** The type from the first bytes alone; {@link ImageFormat#UNKNOWN} for anything else, empty input included. */
    public static ImageFormat sniff(Source source) throws IOException {
        byte[] b = new byte[16];
        int n = source.read(0, b, b.length);
        if (n >= 3 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8 && u8(b, 2) == 0xFF) {
            return ImageFormat.JPEG;
        }
        if (n >= 8
                && u8(b, 0) == 0x89
                && b[1] == 'P'
                && b[2] == 'N'
                && b[3] == 'G'
                && b[4] == 0x0D
                && b[5] == 0x0A
                && b[6] == 0x1A
                && b[7] == 0x0A) {
            return ImageFormat.PNG;
        }
        if (n >= 12 && ascii(b, 0, 4).equals("RIFF") && ascii(b, 8, 4).equals("WEBP")) {
            return ImageFormat.WEBP;
        }
        if (n >= 6 && (ascii(b, 0, 6).equals("GIF87a") || ascii(b, 0, 6).equals("GIF89a"))) {
            return ImageFormat.GIF;
        }
        if (n >= 12 && ascii(b, 4, 4).equals("ftyp")) {
            String brand = ascii(b, 8, 4);
            if (brand.startsWith("hei")
                    || brand.startsWith("hev")
                    || brand.equals("mif1")
                    || brand.equals("msf1")
                    || brand.equals("avif")) {
                return ImageFormat.HEIF;
            }
        }
        return ImageFormat.UNKNOWN;
    }

    /** The header of an accepted type, or empty when the type is not accepted or its header is unreadable. */
    public static Optional<ImageHeader> read(Source source) throws IOException {
        return switch (sniff(source)) {
            case JPEG -> jpeg(source);
            case PNG -> png(source);
            case WEBP -> webp(source);
            case GIF -> gif(source);
            default -> Optional.empty();
        };
    }

    private static Optional<ImageHeader> jpeg(Source source) throws IOException {
        long size = source.size();
        long position = 2;
        byte[] b = new byte[8];
        // Walks the marker segments by their lengths (EXIF, ICC and other APPn blocks are skipped, not read)
        // until the frame header. A scan before any frame, or running off the end, means no usable header.
        for (int segments = 0; segments < 1000 && position + 4 <= size; segments++) {
            if (source.read(position, b, 2) < 2 || u8(b, 0) != 0xFF) {
                return Optional.empty();
            }
            int marker = u8(b, 1);
            if (marker == 0xFF) {
                position++;
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                position += 2;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return Optional.empty();
            }
            if (source.read(position + 2, b, 2) < 2) {
                return Optional.empty();
            }
            int length = u16be(b, 0);
            if (length < 2) {
                return Optional.empty();
            }
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                if (source.read(position + 4, b, 6) < 6) {
                    return Optional.empty();
                }
                int precision = u8(b, 0);
                int height = u16be(b, 1);
                int width = u16be(b, 3);
                int components = u8(b, 5);
                return valid(new ImageHeader(ImageFormat.JPEG, width, height, components, precision, false));
            }
            position += 2 + length;
        }
        return Optional.empty();
    }

    private static Optional<ImageHeader> png(Source source) throws IOException {
        byte[] b = new byte[18];
        if (source.read(8, b, b.length) < b.length || !ascii(b, 4, 4).equals("IHDR")) {
            return Optional.empty();
        }
        long width = u32be(b, 8);
        long height = u32be(b, 12);
        int bitDepth = u8(b, 16);
        if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            return Optional.of(
                    new ImageHeader(ImageFormat.PNG, Integer.MAX_VALUE, Integer.MAX_VALUE, 0, bitDepth, false));
        }
        return valid(new ImageHeader(ImageFormat.PNG, (int) width, (int) height, 0, bitDepth, false));
    }

    private static Optional<ImageHeader> webp(Source source) throws IOException {
        byte[] b = new byte[30];
        if (source.read(0, b, b.length) < b.length) {
            return Optional.empty();
        }
        String chunk = ascii(b, 12, 4);
        return switch (chunk) {
            case "VP8 " -> {
                if (u8(b, 23) != 0x9D || u8(b, 24) != 0x01 || u8(b, 25) != 0x2A) {
                    yield Optional.empty();
                }
                yield valid(
                        new ImageHeader(ImageFormat.WEBP, u16le(b, 26) & 0x3FFF, u16le(b, 28) & 0x3FFF, 0, 8, false));
            }
            case "VP8L" -> {
                if (u8(b, 20) != 0x2F) {
                    yield Optional.empty();
                }
                long bits = u32le(b, 21);
                int width = (int) (bits & 0x3FFF) + 1;
                int height = (int) ((bits >> 14) & 0x3FFF) + 1;
                yield valid(new ImageHeader(ImageFormat.WEBP, width, height, 0, 8, false));
            }
            case "VP8X" -> {
                boolean animated = (u8(b, 20) & 0x02) != 0;
                int width = (u8(b, 24) | u8(b, 25) << 8 | u8(b, 26) << 16) + 1;
                int height = (u8(b, 27) | u8(b, 28) << 8 | u8(b, 29) << 16) + 1;
                yield valid(new ImageHeader(ImageFormat.WEBP, width, height, 0, 8, animated));
            }
            default -> Optional.empty();
        };
    }

    private static Optional<ImageHeader> gif(Source source) throws IOException {
        byte[] b = new byte[10];
        if (source.read(0, b, b.length) < b.length) {
            return Optional.empty();
        }
        return valid(new ImageHeader(ImageFormat.GIF, u16le(b, 6), u16le(b, 8), 0, 8, true));
    }

    private static Optional<ImageHeader> valid(ImageHeader header) {
        return header.width() > 0 && header.height() > 0 ? Optional.of(header) : Optional.empty();
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int u16be(byte[] b, int i) {
        return u8(b, i) << 8 | u8(b, i + 1);
    }

    private static int u16le(byte[] b, int i) {
        return u8(b, i) | u8(b, i + 1) << 8;
    }

    private static long u32be(byte[] b, int i) {
        return (long) u8(b, i) << 24 | u8(b, i + 1) << 16 | u8(b, i + 2) << 8 | u8(b, i + 3);
    }

    private static long u32le(byte[] b, int i) {
        return u8(b, i) | u8(b, i + 1) << 8 | u8(b, i + 2) << 16 | (long) u8(b, i + 3) << 24;
    }

    private static String ascii(byte[] b, int from, int length) {
        return new String(b, from, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
