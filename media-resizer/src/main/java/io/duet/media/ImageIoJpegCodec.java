package io.duet.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * The pure-Java JPEG path: ImageIO (the TwelveMonkeys reader when present) with source subsampling,
 * so that at least only every n-th pixel is converted and kept. The entropy decoding still covers the
 * whole file; that is why {@link TurboJpegCodec} is preferred where it can load.
 */
public final class ImageIoJpegCodec implements JpegCodec {

    @Override
    public String name() {
        return "imageio";
    }

    @Override
    public BufferedImage decode(byte[] jpeg, int checkedWidth, int checkedHeight, int minWidth, int minHeight)
            throws ImageRejectedException {
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new ImageRejectedException("unsupported-format", "no JPEG reader accepts the data");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(input, true, true);
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener(
                        (source, warning) -> warnings.append(warning).append(';'));
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                // Before read() allocates the destination from the reader's own reading of the frame header.
                if (width != checkedWidth || height != checkedHeight) {
                    throw JpegCodec.mismatch();
                }
                int step = 1;
                while ((width + step) / (step + 1) >= Math.min(minWidth, width)
                        && (height + step) / (step + 1) >= Math.min(minHeight, height)
                        && step < 8) {
                    step++;
                }
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage image = reader.read(0, param);
                if (!warnings.isEmpty()) {
                    throw new ImageRejectedException(
                            Pipeline.endsWithEoi(jpeg) ? "corrupt-image" : "truncated-image",
                            "the JPEG decoder reported damage");
                }
                return Pipeline.toIntRgb(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageRejectedException(
                    Pipeline.endsWithEoi(jpeg) ? "corrupt-image" : "truncated-image",
                    "the JPEG could not be decoded",
                    e);
        }
    }

    @Override
    public byte[] encode(BufferedImage rgb, float quality) {
        return encodeWithImageIo(rgb, quality);
    }

    static byte[] encodeWithImageIo(BufferedImage rgb, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (var bytes = new ByteArrayOutputStream(rgb.getWidth() * rgb.getHeight() / 4);
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            // No metadata passed: the output carries a bare JFIF header, never the original's EXIF or GPS.
            writer.write(null, new IIOImage(rgb, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }
}
