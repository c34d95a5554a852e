package io.duet.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/** The EXIF orientation of a JPEG (1-8), and turning pixels upright by it. */
final class Orientation {
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
            if (marker == 0xE1 && length >= 16 && position + 2 + length <= jpeg.length
                    && new String(jpeg, position + 4, 6, java.nio.charset.StandardCharsets.ISO_8859_1).equals("Exif\0\0")) {
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

    /** The image turned upright; the same instance when already upright. Takes INT_RGB or INT_ARGB. */
    static BufferedImage apply(BufferedImage source, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return source;
        }
        int w = source.getWidth();
        int h = source.getHeight();
        boolean swap = swapsAxes(orientation);
        int dw = swap ? h : w;
        BufferedImage target = new BufferedImage(dw, swap ? w : h, source.getType());
        int[] s = ((DataBufferInt) source.getRaster().getDataBuffer()).getData();
        int[] d = ((DataBufferInt) target.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            int row = y * w;
            switch (orientation) {
                case 2 -> { for (int x = 0; x < w; x++) d[y * dw + (w - 1 - x)] = s[row + x]; }
                case 3 -> { for (int x = 0; x < w; x++) d[(h - 1 - y) * dw + (w - 1 - x)] = s[row + x]; }
                case 4 -> System.arraycopy(s, row, d, (h - 1 - y) * dw, w);
                case 5 -> { for (int x = 0; x < w; x++) d[x * dw + y] = s[row + x]; }
                case 6 -> { for (int x = 0; x < w; x++) d[x * dw + (h - 1 - y)] = s[row + x]; }
                case 7 -> { for (int x = 0; x < w; x++) d[(w - 1 - x) * dw + (h - 1 - y)] = s[row + x]; }
                default -> { for (int x = 0; x < w; x++) d[(w - 1 - x) * dw + y] = s[row + x]; }
            }
        }
        return target;
    }
}
