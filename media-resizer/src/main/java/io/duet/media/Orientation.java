package io.duet.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/** The EXIF orientation of a JPEG (1-8), and turning pixels upright by it. */
final class Orientation {
    private static final int TILE = 64;

    private Orientation() {}

    /** The orientation tag of the JPEG's EXIF block; 1 (upright) when absent or unreadable. */
    static int of(byte[] jpeg) {
        int position = 2;
        while (position + 4 <= jpeg.length && (jpeg[position] & 0xFF) == 0xFF) {
            int marker = jpeg[position + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                return 1;
            }
            int length = u16(jpeg, position + 2, true);
            if (marker == 0xE1
                    && length >= 16
                    && position + 2 + length <= jpeg.length
                    && new String(jpeg, position + 4, 6, java.nio.charset.StandardCharsets.ISO_8859_1)
                            .equals("Exif\0\0")) {
                return fromTiff(jpeg, position + 10, position + 2 + length);
            }
            position += 2 + length;
        }
        return 1;
    }

    private static int fromTiff(byte[] b, int tiff, int end) {
        boolean bigEndian = b[tiff] == 'M';
        long ifd = u32(b, tiff + 4, bigEndian);
        int entries = tiff + (int) ifd;
        if (ifd < 8 || entries + 2 > end) {
            return 1;
        }
        int count = u16(b, entries, bigEndian);
        for (int i = 0; i < count; i++) {
            int entry = entries + 2 + i * 12;
            if (entry + 12 > end) {
                return 1;
            }
            if (u16(b, entry, bigEndian) == 0x0112) {
                int value = u16(b, entry + 8, bigEndian);
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int i, boolean bigEndian) {
        int a = b[i] & 0xFF;
        int c = b[i + 1] & 0xFF;
        return bigEndian ? a << 8 | c : c << 8 | a;
    }

    private static long u32(byte[] b, int i, boolean bigEndian) {
        long high = u16(b, bigEndian ? i : i + 2, bigEndian);
        long low = u16(b, bigEndian ? i + 2 : i, bigEndian);
        return high << 16 | low;
    }

    /** Whether this orientation swaps width and height. */
    static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /**
     * The image turned upright; the same instance when already upright. Takes INT_RGB or INT_ARGB
     * without an offset or stride (not a sub-image). The copy goes in 64x64 tiles: a quarter turn
     * writes columns, and a tile keeps those writes within a few cache lines.
     */
    static BufferedImage apply(BufferedImage source, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return source;
        }
        int w = source.getWidth();
        int h = source.getHeight();
        int dw = swapsAxes(orientation) ? h : w;
        BufferedImage target = new BufferedImage(dw, swapsAxes(orientation) ? w : h, source.getType());
        int[] s = ((DataBufferInt) source.getRaster().getDataBuffer()).getData();
        int[] d = ((DataBufferInt) target.getRaster().getDataBuffer()).getData();
        // Where source pixel (x, y) lands is linear in x: start(y) + x * step.
        int step = switch (orientation) {
            case 2, 3 -> -1;
            case 4 -> 1;
            case 5, 6 -> dw;
            default -> -dw;
        };
        for (int y0 = 0; y0 < h; y0 += TILE) {
            for (int x0 = 0; x0 < w; x0 += TILE) {
                int x1 = Math.min(w, x0 + TILE);
                for (int y = y0, y1 = Math.min(h, y0 + TILE); y < y1; y++) {
                    int start = switch (orientation) {
                        case 2 -> y * dw + w - 1;
                        case 3 -> (h - 1 - y) * dw + w - 1;
                        case 4 -> (h - 1 - y) * dw;
                        case 5 -> y;
                        case 6 -> h - 1 - y;
                        case 7 -> (w - 1) * dw + h - 1 - y;
                        default -> (w - 1) * dw + y;
                    };
                    int row = y * w;
                    for (int x = x0, at = start + x0 * step; x < x1; x++, at += step) {
                        d[at] = s[row + x];
                    }
                }
            }
        }
        return target;
    }
}
