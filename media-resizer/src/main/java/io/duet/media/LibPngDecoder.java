package io.duet.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * PNG decoding through libpng's simplified API (Debian/Ubuntu {@code libpng16-16}, present on nearly
 * every Linux; Amazon Linux ships it too), called with the JDK's FFM API. The simplified API reports
 * errors through its {@code png_image} struct instead of {@code longjmp}, which is what makes it safe
 * to call without C glue. ImageIO's PNG reader spends most of a 12 MP screenshot's resize time
 * unfiltering rows in Java and then converting them to ints; libpng writes BGRA straight into the
 * image's int array, which is {@code TYPE_INT_ARGB} on a little-endian machine. ImageIO stays the
 * fallback wherever the library is absent (see {@link Pipeline}).
 */
public final class LibPngDecoder {
    private static final int PNG_IMAGE_VERSION = 1;
    private static final int PNG_FORMAT_FLAG_ALPHA = 0x01;
    /** Colour, blue-green-red order, alpha last: little-endian ARGB ints. */
    private static final int PNG_FORMAT_BGRA = 0x13;

    private static final int PNG_IMAGE_ERROR = 2;

    /** {@code png_image} from {@code png.h} (libpng 1.6). */
    private static final StructLayout PNG_IMAGE = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("opaque"),
            ValueLayout.JAVA_INT.withName("version"),
            ValueLayout.JAVA_INT.withName("width"),
            ValueLayout.JAVA_INT.withName("height"),
            ValueLayout.JAVA_INT.withName("format"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("colormap_entries"),
            ValueLayout.JAVA_INT.withName("warning_or_error"),
            MemoryLayout.sequenceLayout(64, ValueLayout.JAVA_BYTE).withName("message"),
            MemoryLayout.paddingLayout(4));

    private static final long VERSION = offset("version");
    private static final long WIDTH = offset("width");
    private static final long HEIGHT = offset("height");
    private static final long FORMAT = offset("format");
    private static final long WARNING_OR_ERROR = offset("warning_or_error");
    private static final long MESSAGE = offset("message");

    private final MethodHandle beginRead;
    private final MethodHandle finishRead;
    private final MethodHandle free;
    private final NativeVersion version;

    private LibPngDecoder(NativeLibrary library) {
        Linker linker = Linker.nativeLinker();
        var address = ValueLayout.ADDRESS;
        var i32 = ValueLayout.JAVA_INT;
        beginRead = linker.downcallHandle(
                library.function("png_image_begin_read_from_memory"),
                FunctionDescriptor.of(i32, address, address, ValueLayout.JAVA_LONG));
        // Critical with heap access: libpng writes the rows straight into the image's int array.
        finishRead = linker.downcallHandle(
                library.function("png_image_finish_read"),
                FunctionDescriptor.of(i32, address, address, address, i32, address),
                Linker.Option.critical(true));
        free = linker.downcallHandle(library.function("png_image_free"), FunctionDescriptor.ofVoid(address));
        try {
            // png_uint_32 png_access_version_number(void): the release of the library actually loaded,
            // not of the png.h anything was compiled against.
            var number =
                    linker.downcallHandle(library.function("png_access_version_number"), FunctionDescriptor.of(i32));
            version = NativeVersion.ofLibpngNumber(Integer.toUnsignedLong((int) number.invokeExact()));
        } catch (Throwable e) {
            throw new IllegalStateException("png_access_version_number failed", e);
        }
    }

    /** The release of the loaded library ({@code png_access_version_number}). */
    NativeVersion version() {
        return version;
    }

    private static long offset(String field) {
        return PNG_IMAGE.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * The decoder when libpng 1.6 can be loaded (by name through the system's library path, or from
     * {@code DUET_LIBPNG_LIBRARY}), else empty.
     */
    public static Optional<LibPngDecoder> load() {
        return NativeLibrary.load(
                "DUET_LIBPNG_LIBRARY",
                List.of("libpng16.so.16", "libpng16.so", "libpng16.16.dylib", "libpng16.dylib"),
                LibPngDecoder::new);
    }

    /**
     * Decodes the whole image as {@code TYPE_INT_RGB}, or {@code TYPE_INT_ARGB} when any pixel is not
     * fully opaque. The size in the file must be the size the header check saw: the buffer is
     * allocated from it, so a file that changes its mind is refused before anything is written.
     */
    public BufferedImage decode(byte[] png, int expectedWidth, int expectedHeight) throws ImageRejectedException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(PNG_IMAGE);
            image.set(ValueLayout.JAVA_INT, VERSION, PNG_IMAGE_VERSION);
            MemorySegment source = arena.allocate(png.length);
            MemorySegment.copy(png, 0, source, ValueLayout.JAVA_BYTE, 0, png.length);
            if ((int) beginRead.invokeExact(image, source, (long) png.length) == 0) {
                throw rejected(png, image);
            }
            try {
                int width = image.get(ValueLayout.JAVA_INT, WIDTH);
                int height = image.get(ValueLayout.JAVA_INT, HEIGHT);
                if (width != expectedWidth || height != expectedHeight) {
                    throw new ImageRejectedException("dimension-mismatch", "decoded size differs from the header");
                }
                boolean hasAlpha = (image.get(ValueLayout.JAVA_INT, FORMAT) & PNG_FORMAT_FLAG_ALPHA) != 0;
                image.set(ValueLayout.JAVA_INT, FORMAT, PNG_FORMAT_BGRA);
                BufferedImage decoded = new BufferedImage(
                        width, height, hasAlpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
                int[] data = ((DataBufferInt) decoded.getRaster().getDataBuffer()).getData();
                int finished = (int) finishRead.invokeExact(
                        image, MemorySegment.NULL, MemorySegment.ofArray(data), width * 4, MemorySegment.NULL);
                if (finished == 0 || (image.get(ValueLayout.JAVA_INT, WARNING_OR_ERROR) & PNG_IMAGE_ERROR) != 0) {
                    throw rejected(png, image);
                }
                return hasAlpha && opaque(data) ? asOpaque(decoded) : decoded;
            } finally {
                // Idempotent: finish_read frees on its own, but an early exit above would leak.
                free.invokeExact(image);
            }
        } catch (ImageRejectedException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("libpng call failed", e);
        }
    }

    private static boolean opaque(int[] argb) {
        for (int pixel : argb) {
            if (pixel >>> 24 != 0xFF) {
                return false;
            }
        }
        return true;
    }

    /** The same pixels as {@code TYPE_INT_RGB}, sharing the array: an alpha channel that is all 255 is dropped. */
    private static BufferedImage asOpaque(BufferedImage argb) {
        DirectColorModel rgb = new DirectColorModel(24, 0xFF0000, 0xFF00, 0xFF);
        WritableRaster raster = Raster.createPackedRaster(
                argb.getRaster().getDataBuffer(),
                argb.getWidth(),
                argb.getHeight(),
                argb.getWidth(),
                rgb.getMasks(),
                null);
        return new BufferedImage(rgb, raster, false, null);
    }

    private static ImageRejectedException rejected(byte[] png, MemorySegment image) {
        String message = image.asSlice(MESSAGE, 64).getString(0, StandardCharsets.US_ASCII);
        return new ImageRejectedException(
                Pipeline.endsWithIend(png) ? "corrupt-image" : "truncated-image",
                "libpng refused the data: " + message);
    }
}
