package io.duet.api.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;

/**
 * Real images made from a seed, so tests, the hostile corpus and the benchmark corpus are the same on
 * every machine: photo-like pictures (smooth light, textured ground, hard edges, sensor noise) that
 * compress like camera output, screenshots, EXIF blocks with an orientation and a GPS position.
 */
public final class TestImages {
    /** A marker inside the GPS block that must never reach an output. */
    public static final String GPS_MARKER = "DUET-GPS-SECRET";

    private TestImages() {}

    /** A photo-like picture: sky gradient, multi-octave texture, a few shapes, fine noise. */
    public static BufferedImage photo(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        float[][] octaves = new float[4][];
        int[] cells = {8, 32, 128, 512};
        for (int o = 0; o < octaves.length; o++) {
            octaves[o] = new float[(cells[o] + 1) * (cells[o] + 1)];
            for (int i = 0; i < octaves[o].length; i++) {
                octaves[o][i] = random.nextFloat();
            }
        }
        float hue = random.nextFloat();
        int horizon = height / 3 + random.nextInt(Math.max(1, height / 3));
        long noise = seed * 0x9E3779B97F4A7C15L + 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float texture = 0;
                float weight = 0.5f;
                for (int o = 0; o < octaves.length; o++) {
                    texture += weight * sample(octaves[o], cells[o], (float) x / width, (float) y / height);
                    weight *= 0.5f;
                }
                noise ^= noise << 13;
                noise ^= noise >>> 7;
                noise ^= noise << 17;
                float grain = ((noise & 0xFF) - 128) / 128f * 0.04f;
                float r;
                float g;
                float b;
                if (y < horizon) {
                    float t = (float) y / horizon;
                    r = 0.35f + 0.3f * t + 0.1f * texture;
                    g = 0.55f + 0.25f * t + 0.1f * texture;
                    b = 0.85f + 0.1f * t;
                } else {
                    r = 0.25f + 0.5f * texture + 0.2f * hue;
                    g = 0.35f + 0.45f * texture;
                    b = 0.15f + 0.3f * texture * (1 - hue);
                }
                pixels[y * width + x] = rgb(r + grain, g + grain, b + grain);
            }
        }
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        for (int i = 0; i < 12; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256), 160));
            int w = width / 20 + random.nextInt(Math.max(1, width / 6));
            int h = height / 20 + random.nextInt(Math.max(1, height / 6));
            if (random.nextBoolean()) {
                g.fillOval(random.nextInt(width), horizon + random.nextInt(Math.max(1, height - horizon)), w, h);
            } else {
                g.fillRect(random.nextInt(width), random.nextInt(height), w, h);
            }
        }
        g.dispose();
        return image;
    }

    /** A phone screenshot: flat panels, text-like lines, an avatar circle. */
    public static BufferedImage screenshot(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(245, 245, 250));
        g.fillRect(0, 0, width, height);
        int row = height / 40;
        for (int y = row; y < height - row; y += row * 2) {
            g.setColor(random.nextInt(5) == 0 ? new Color(70, 120, 230) : new Color(225, 228, 235));
            g.fillRoundRect(width / 20, y, width * (8 + random.nextInt(10)) / 20, row * 3 / 2, row, row);
            g.setColor(new Color(40, 40, 50));
            for (int x = width / 15; x < width * 3 / 4; x += row / 2 + random.nextInt(row)) {
                g.fillRect(x, y + row / 2, row / 3 + random.nextInt(row / 2 + 1), row / 3);
            }
        }
        g.setColor(new Color(random.nextInt(256), 80, 160));
        g.fillOval(width - width / 6, row, width / 8, width / 8);
        g.dispose();
        return image;
    }

    /** A picture with a transparent background (a sticker): needs PNG variants. */
    public static BufferedImage sticker(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(230, 60, 90));
        g.fillOval(width / 8, height / 8, width * 3 / 4, height * 3 / 4);
        g.dispose();
        return image;
    }

    public static byte[] jpeg(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (var bytes = new ByteArrayOutputStream();
                var out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    public static byte[] png(BufferedImage image) throws IOException {
        var bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        return bytes.toByteArray();
    }

    /** The JPEG with an EXIF block (orientation, GPS position with {@link #GPS_MARKER}) right after SOI. */
    public static byte[] withExif(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(160).order(ByteOrder.LITTLE_ENDIAN);
        tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        // IFD0 at 8: orientation and a pointer to the GPS IFD.
        tiff.putShort((short) 2);
        tiff.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) orientation)
                .putShort((short) 0);
        tiff.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(38);
        tiff.putInt(0);
        // GPS IFD at 38: latitude reference and a processing-method text carrying the marker.
        byte[] marker = (GPS_MARKER + "\0").getBytes(StandardCharsets.US_ASCII);
        tiff.putShort((short) 2);
        tiff.putShort((short) 0x0001)
                .putShort((short) 2)
                .putInt(2)
                .put((byte) 'N')
                .put((byte) 0)
                .putShort((short) 0);
        tiff.putShort((short) 0x001B).putShort((short) 7).putInt(marker.length).putInt(68);
        tiff.putInt(0);
        tiff.put(marker);
        int tiffLength = tiff.position();
        ByteBuffer segment = ByteBuffer.allocate(4 + 6 + tiffLength).order(ByteOrder.BIG_ENDIAN);
        segment.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + tiffLength));
        segment.put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
        segment.put(tiff.array(), 0, tiffLength);
        byte[] result = new byte[jpeg.length + segment.capacity()];
        result[0] = jpeg[0];
        result[1] = jpeg[1];
        System.arraycopy(segment.array(), 0, result, 2, segment.capacity());
        System.arraycopy(jpeg, 2, result, 2 + segment.capacity(), jpeg.length - 2);
        return result;
    }

    private static float sample(float[] grid, int cells, float u, float v) {
        float x = u * cells;
        float y = v * cells;
        int x0 = Math.min((int) x, cells - 1);
        int y0 = Math.min((int) y, cells - 1);
        float fx = x - x0;
        float fy = y - y0;
        int stride = cells + 1;
        float top = grid[y0 * stride + x0] * (1 - fx) + grid[y0 * stride + x0 + 1] * fx;
        float bottom = grid[(y0 + 1) * stride + x0] * (1 - fx) + grid[(y0 + 1) * stride + x0 + 1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static int rgb(float r, float g, float b) {
        return channel(r) << 16 | channel(g) << 8 | channel(b);
    }

    private static int channel(float value) {
        return Math.max(0, Math.min(255, Math.round(value * 255)));
    }
}
