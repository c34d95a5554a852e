package io.duet.media;

import io.duet.api.testing.TestImages;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;

/**
 * The hostile corpus: files an attacker or a broken phone sends, each with what Duet must make of it.
 * Deterministic (fixed seeds). {@code ./duet corpus DIR} writes the files to look at;
 * {@link HostileCorpusTest} runs every one through the real intake and worker.
 */
public final class HostileCorpus {
    private HostileCorpus() {}

    /**
     * One file and its expected fate.
     *
     * @param intake what POST /v1/media answers: {@code accepted} (202) or the problem code
     * @param worker the media item's end state when the worker is handed the file directly (bypassing
     *     the intake checks): {@code ready} or the error code, with the native decoders
     * @param javaWorker the same with the pure-Java decoders, where they differ (else {@code worker})
     */
    public record Entry(String name, byte[] bytes, String intake, String worker, String javaWorker) {}

    public static Map<String, Entry> entries() throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        byte[] photo = TestImages.jpeg(TestImages.photo(1200, 900, 7), 0.9f);

        // An empty body is no request for an image at all: the framework answers 400 before the controller runs.
        add(entries, "zero-byte.jpg", new byte[0], "bad-request", "unsupported-format");
        add(entries, "truncated.jpg", Arrays.copyOf(photo, photo.length * 6 / 10), "accepted", "truncated-image");
        add(entries, "corrupt.jpg", corruptJpeg(photo), "accepted", "corrupt-image");
        add(
                entries,
                "not-an-image.jpg",
                "<html><body>hello</body></html>".getBytes(StandardCharsets.US_ASCII),
                "unsupported-image-type",
                "unsupported-format");
        add(entries, "polyglot-png-html.png", pngHtmlPolyglot(), "accepted", "corrupt-image");
        add(entries, "polyglot-jpeg-zip.jpg", jpegZipPolyglot(photo), "accepted", "ready");
        add(entries, "cmyk.jpg", cmykJpeg(), "accepted", "unsupported-color-space");
        add(entries, "16-bit.png", sixteenBitPng(), "accepted", "unsupported-bit-depth");
        add(entries, "animated-gif.jpg", animatedGif(), "unsupported-image-type", "unsupported-format");
        add(entries, "heic-named.jpg", heicHeader(), "unsupported-image-type", "unsupported-format");
        add(entries, "lying-header-small.png", lyingPng(), "accepted", "corrupt-image");
        add(entries, "lying-header-huge.jpg", lyingJpeg(photo), "image-too-large", "too-many-pixels");
        // libjpeg-turbo's TurboJPEG API (2.1) already fails the header on the stray-data warning; the
        // pure-Java reader reads the hidden frame and is stopped by the size comparison.
        entries.put(
                "hidden-frame-header.jpg",
                new Entry(
                        "hidden-frame-header.jpg",
                        hiddenFrameJpeg(photo),
                        "accepted",
                        "corrupt-image",
                        "dimension-mismatch"));
        add(entries, "decompression-bomb.png", bombPng(), "image-too-large", "too-many-pixels");
        add(
                entries,
                "no-frame-header.jpg",
                new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9},
                "unreadable-image",
                "corrupt-image");
        return entries;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/hostile-corpus");
        Files.createDirectories(dir);
        for (Entry entry : entries().values()) {
            Files.write(dir.resolve(entry.name()), entry.bytes());
            System.out.printf(
                    "%-28s %9d bytes  intake=%s worker=%s%n",
                    entry.name(), entry.bytes().length, entry.intake(), entry.worker());
        }
    }

    private static void add(Map<String, Entry> entries, String name, byte[] bytes, String intake, String worker) {
        entries.put(name, new Entry(name, bytes, intake, worker, worker));
    }

    /** A valid JPEG header with the entropy-coded data overwritten by bytes that decode to nonsense. */
    private static byte[] corruptJpeg(byte[] photo) {
        byte[] bytes = photo.clone();
        int scan = indexOf(bytes, new byte[] {(byte) 0xFF, (byte) 0xDA}) + 20;
        for (int i = scan; i < bytes.length - 2; i++) {
            bytes[i] = (byte) (i % 7 == 0 ? 0xFF : 0xD0 + i % 9);
        }
        return bytes;
    }

    /** A real PNG header whose IDAT holds an HTML document: a file that is "an image" to a sniffer and a page to a browser. */
    private static byte[] pngHtmlPolyglot() throws IOException {
        var out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", ihdr(64, 64, 8, 2));
        chunk(out, "IDAT", "<html><script>alert(document.cookie)</script></html>".getBytes(StandardCharsets.US_ASCII));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A valid JPEG with a ZIP archive appended: decodes fine, and the re-encoded variants must not carry the archive. */
    private static byte[] jpegZipPolyglot(byte[] photo) throws IOException {
        var zip = new ByteArrayOutputStream();
        try (var archive = new java.util.zip.ZipOutputStream(zip)) {
            archive.putNextEntry(new java.util.zip.ZipEntry("payload.sh"));
            archive.write("#!/bin/sh\necho owned\n".getBytes(StandardCharsets.US_ASCII));
        }
        var out = new ByteArrayOutputStream();
        out.write(photo);
        out.write(zip.toByteArray());
        return out.toByteArray();
    }

    /** A four-component (CMYK) JPEG, as print software exports. */
    private static byte[] cmykJpeg() throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 64, 48, 4, null);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                raster.setPixel(x, y, new int[] {x * 4, y * 5, 128, 30});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (var bytes = new ByteArrayOutputStream();
                var out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
            out.flush();
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    private static byte[] sixteenBitPng() throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.getRaster().setSample(x, y, 0, x * 1000 + y);
            }
        }
        return TestImages.png(image);
    }

    private static byte[] animatedGif() throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (var bytes = new ByteArrayOutputStream();
                var out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int frame = 0; frame < 2; frame++) {
                BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_INDEXED);
                image.getGraphics().fillRect(frame * 16, 0, 16, 32);
                IIOMetadata metadata =
                        writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
                writer.writeToSequence(new IIOImage(image, null, metadata), null);
            }
            writer.endWriteSequence();
            out.flush();
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    private static byte[] heicHeader() {
        byte[] bytes = new byte[64];
        byte[] box = {
            0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'
        };
        System.arraycopy(box, 0, bytes, 0, box.length);
        return bytes;
    }

    /** IHDR claims 4000x3000 while the compressed data holds 16x16 pixels. */
    private static byte[] lyingPng() throws IOException {
        var raw = new ByteArrayOutputStream();
        for (int y = 0; y < 16; y++) {
            raw.write(0);
            raw.write(new byte[16 * 3]);
        }
        var out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", ihdr(4000, 3000, 8, 2));
        chunk(out, "IDAT", deflate(raw.toByteArray()));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A small JPEG whose frame header claims 60000x60000 pixels. */
    private static byte[] lyingJpeg(byte[] photo) {
        byte[] bytes = photo.clone();
        int sof = indexOf(bytes, new byte[] {(byte) 0xFF, (byte) 0xC0});
        bytes[sof + 5] = (byte) (60000 >> 8);
        bytes[sof + 6] = (byte) 60000;
        bytes[sof + 7] = (byte) (60000 >> 8);
        bytes[sof + 8] = (byte) 60000;
        return bytes;
    }

    /**
     * Two parsers, two sizes. Right after SOI sits an {@code FF 00} pair with a length: a marker walk
     * (Duet's {@code ImageHeader}) takes it for a segment and jumps over it to the frame header of a
     * real 1200x900 photo; libjpeg takes {@code FF 00} for stray data, scans on for the next marker
     * and finds, inside that "segment", the complete header of another JPEG whose frame claims
     * 60000x60000. The intake and the pixel limit see 1.08 MP; the pure-Java reader (TwelveMonkeys)
     * sees 3.6 GP and, unchecked, allocated 322 MB for a 1/8-scale read before failing on the data.
     */
    static byte[] hiddenFrameJpeg(byte[] photo) throws IOException {
        byte[] hidden = TestImages.jpeg(TestImages.photo(64, 48, 3), 0.9f);
        int sof = indexOf(hidden, new byte[] {(byte) 0xFF, (byte) 0xC0});
        hidden[sof + 5] = (byte) (60000 >> 8);
        hidden[sof + 6] = (byte) 60000;
        hidden[sof + 7] = (byte) (60000 >> 8);
        hidden[sof + 8] = (byte) 60000;
        // Without its SOI and EOI, padded so that no byte of the length is 0xFF.
        var body = new ByteArrayOutputStream();
        body.write(hidden, 2, hidden.length - 4);
        while (((body.size() + 2) & 0xFF) == 0xFF || ((body.size() + 2) >> 8) == 0xFF) {
            body.write(0);
        }
        var out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00});
        out.write((body.size() + 2) >> 8);
        out.write(body.size() + 2);
        body.writeTo(out);
        out.write(photo, 2, photo.length - 2);
        return out.toByteArray();
    }

    /** 30000x30000 grey (900 MB of pixels) in about a megabyte of deflated zeros: a real bomb. */
    private static byte[] bombPng() throws IOException {
        int side = 30000;
        var compressed = new ByteArrayOutputStream();
        try (var deflater = new DeflaterOutputStream(compressed, new Deflater(9))) {
            byte[] row = new byte[side + 1];
            for (int y = 0; y < side; y++) {
                deflater.write(row);
            }
        }
        var out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", ihdr(side, side, 8, 0));
        chunk(out, "IDAT", compressed.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static byte[] ihdr(int width, int height, int bitDepth, int colorType) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var data = new DataOutputStream(bytes);
        data.writeInt(width);
        data.writeInt(height);
        data.writeByte(bitDepth);
        data.writeByte(colorType);
        data.writeByte(0);
        data.writeByte(0);
        data.writeByte(0);
        return bytes.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        var stream = new DataOutputStream(out);
        stream.writeInt(data.length);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        stream.write(name);
        stream.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        stream.writeInt((int) crc.getValue());
    }

    private static byte[] deflate(byte[] raw) throws IOException {
        var compressed = new ByteArrayOutputStream();
        try (var deflater = new DeflaterOutputStream(compressed)) {
            deflater.write(raw);
        }
        return compressed.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("marker not found");
    }
}
