package io.duet.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * JPEG through libjpeg-turbo's TurboJPEG API (Debian/Ubuntu {@code libturbojpeg0}, 2.x ABI), called
 * with the JDK's FFM API: no JNI glue to build. libjpeg-turbo scales in the DCT domain (a 1/2 scale
 * decode skips most of the inverse DCT work) and uses SIMD for both directions, which is where the
 * time of a resize goes. Pixels travel as BGRX, which is exactly {@code TYPE_INT_RGB} on a
 * little-endian machine. The coding calls are linked as critical with heap access: libjpeg-turbo reads
 * the Java byte array and writes the image's own int array directly, so no native copy of the pixels
 * exists (a 12 MP photo would need 48 MB of it) and no bulk copy is made. The collector waits for the
 * few milliseconds of such a call, which a worker thread can afford.
 */
public final class TurboJpegCodec implements JpegCodec {
    private static final int TJPF_BGRX = 3;
    private static final int TJSAMP_420 = 2;
    private static final int TJCS_CMYK = 3;
    private static final int TJCS_YCCK = 4;
    private static final int TJFLAG_STOPONWARNING = 8192;

    private final MethodHandle initDecompress;
    private final MethodHandle initCompress;
    private final MethodHandle decompressHeader;
    private final MethodHandle decompress;
    private final MethodHandle compress;
    private final MethodHandle free;
    private final MethodHandle destroy;
    private final Optional<NativeVersion> version;

    private TurboJpegCodec(NativeLibrary library) {
        Linker linker = Linker.nativeLinker();
        var address = ValueLayout.ADDRESS;
        var i32 = ValueLayout.JAVA_INT;
        var u64 = ValueLayout.JAVA_LONG;
        initDecompress = linker.downcallHandle(library.function("tjInitDecompress"), FunctionDescriptor.of(address));
        initCompress = linker.downcallHandle(library.function("tjInitCompress"), FunctionDescriptor.of(address));
        var onHeap = Linker.Option.critical(true);
        decompressHeader = linker.downcallHandle(
                library.function("tjDecompressHeader3"),
                FunctionDescriptor.of(i32, address, address, u64, address, address, address, address),
                onHeap);
        decompress = linker.downcallHandle(
                library.function("tjDecompress2"),
                FunctionDescriptor.of(i32, address, address, u64, address, i32, i32, i32, i32, i32),
                onHeap);
        compress = linker.downcallHandle(
                library.function("tjCompress2"),
                FunctionDescriptor.of(i32, address, address, i32, i32, i32, i32, address, address, i32, i32, i32),
                onHeap);
        free = linker.downcallHandle(library.function("tjFree"), FunctionDescriptor.ofVoid(address));
        destroy = linker.downcallHandle(library.function("tjDestroy"), FunctionDescriptor.of(i32, address));
        version = library.file("tjInitDecompress").flatMap(file -> {
            try {
                return NativeVersion.ofLibjpegTurboFile(java.nio.file.Files.readAllBytes(file));
            } catch (java.io.IOException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** The release of the loaded library, read from its own version string; empty where it cannot be read. */
    Optional<NativeVersion> version() {
        return version;
    }

    /**
     * The codec when libturbojpeg can be loaded (by name through the system's library path, or from
     * {@code DUET_TURBOJPEG_LIBRARY}), else empty. Needs {@code --enable-native-access=ALL-UNNAMED}
     * to run without a warning.
     */
    public static Optional<TurboJpegCodec> load() {
        return NativeLibrary.load(
                "DUET_TURBOJPEG_LIBRARY",
                List.of("libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "libturbojpeg.dylib"),
                TurboJpegCodec::new);
    }

    @Override
    public String name() {
        return "libjpeg-turbo";
    }

    @Override
    public BufferedImage decode(byte[] jpeg, int checkedWidth, int checkedHeight, int minWidth, int minHeight)
            throws ImageRejectedException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) initDecompress.invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("tjInitDecompress failed");
            }
            try {
                MemorySegment source = MemorySegment.ofArray(jpeg);
                MemorySegment ints = arena.allocate(ValueLayout.JAVA_INT, 4);
                int status = (int) decompressHeader.invokeExact(
                        handle, source, (long) jpeg.length, ints, ints.asSlice(4), ints.asSlice(8), ints.asSlice(12));
                if (status != 0) {
                    throw rejected(jpeg);
                }
                int width = ints.getAtIndex(ValueLayout.JAVA_INT, 0);
                int height = ints.getAtIndex(ValueLayout.JAVA_INT, 1);
                int colorspace = ints.getAtIndex(ValueLayout.JAVA_INT, 3);
                // Before the image below is allocated from libjpeg's own reading of the frame header.
                if (width != checkedWidth || height != checkedHeight) {
                    throw JpegCodec.mismatch();
                }
                if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
                    throw new ImageRejectedException("unsupported-color-space", "CMYK JPEG");
                }
                int n = JpegCodec.eighths(width, height, minWidth, minHeight);
                int scaledWidth = JpegCodec.scaled(width, n);
                int scaledHeight = JpegCodec.scaled(height, n);
                BufferedImage image = new BufferedImage(scaledWidth, scaledHeight, BufferedImage.TYPE_INT_RGB);
                int[] data = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
                status = (int) decompress.invokeExact(
                        handle,
                        source,
                        (long) jpeg.length,
                        MemorySegment.ofArray(data),
                        scaledWidth,
                        0,
                        scaledHeight,
                        TJPF_BGRX,
                        TJFLAG_STOPONWARNING);
                if (status != 0) {
                    throw rejected(jpeg);
                }
                return image;
            } finally {
                int ignored = (int) destroy.invokeExact(handle);
            }
        } catch (ImageRejectedException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("libturbojpeg call failed", e);
        }
    }

    private static ImageRejectedException rejected(byte[] jpeg) {
        return new ImageRejectedException(
                Pipeline.endsWithEoi(jpeg) ? "corrupt-image" : "truncated-image", "libjpeg-turbo refused the data");
    }

    @Override
    public byte[] encode(BufferedImage rgb, float quality) {
        if (rgb.getType() != BufferedImage.TYPE_INT_RGB) {
            throw new IllegalArgumentException("encode takes TYPE_INT_RGB");
        }
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        int[] data = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        int offset = rgb.getRaster().getDataBuffer().getOffset();
        int stride = rgb.getRaster().getSampleModel() instanceof java.awt.image.SinglePixelPackedSampleModel packed
                ? packed.getScanlineStride()
                : width;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) initCompress.invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("tjInitCompress failed");
            }
            try {
                MemorySegment pixels = MemorySegment.ofArray(data).asSlice((long) offset * 4);
                // libjpeg-turbo allocates the output itself (not zeroed, grown as needed); freed below.
                MemorySegment outPointer = arena.allocate(ValueLayout.ADDRESS);
                MemorySegment outSize = arena.allocate(ValueLayout.JAVA_LONG);
                int q = Math.max(1, Math.min(100, Math.round(quality * 100)));
                int status = (int) compress.invokeExact(
                        handle, pixels, width, stride * 4, height, TJPF_BGRX, outPointer, outSize, TJSAMP_420, q, 0);
                MemorySegment out = outPointer.get(ValueLayout.ADDRESS, 0);
                try {
                    if (status != 0) {
                        throw new IllegalStateException("tjCompress2 failed");
                    }
                    long size = outSize.get(ValueLayout.JAVA_LONG, 0);
                    return out.reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
                } finally {
                    free.invokeExact(out);
                }
            } finally {
                int ignored = (int) destroy.invokeExact(handle);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("libturbojpeg call failed", e);
        }
    }
}
