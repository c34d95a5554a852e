package io.duet.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * JPEG through libjpeg-turbo's TurboJPEG API (Debian/Ubuntu {@code libturbojpeg0}, 2.x ABI), called
 * with the JDK's FFM API: no JNI glue to build. libjpeg-turbo scales in the DCT domain (a 1/2 scale
 * decode skips most of the inverse DCT work) and uses SIMD for both directions, which is where the
 * time of a resize goes. Pixels travel as BGRX, which is exactly {@code TYPE_INT_RGB} on a
 * little-endian machine, so each direction is one bulk copy.
 */
public final class TurboJpegCodec implements JpegCodec {
    private static final int TJPF_BGRX = 3;
    private static final int TJSAMP_420 = 2;
    private static final int TJCS_CMYK = 3;
    private static final int TJCS_YCCK = 4;
    private static final int TJFLAG_NOREALLOC = 1024;
    private static final int TJFLAG_STOPONWARNING = 8192;

    private final MethodHandle initDecompress;
    private final MethodHandle initCompress;
    private final MethodHandle decompressHeader;
    private final MethodHandle decompress;
    private final MethodHandle compress;
    private final MethodHandle bufSize;
    private final MethodHandle destroy;

    private TurboJpegCodec(SymbolLookup library) {
        Linker linker = Linker.nativeLinker();
        var address = ValueLayout.ADDRESS;
        var i32 = ValueLayout.JAVA_INT;
        var u64 = ValueLayout.JAVA_LONG;
        initDecompress = linker.downcallHandle(find(library, "tjInitDecompress"), FunctionDescriptor.of(address));
        initCompress = linker.downcallHandle(find(library, "tjInitCompress"), FunctionDescriptor.of(address));
        decompressHeader = linker.downcallHandle(find(library, "tjDecompressHeader3"),
                FunctionDescriptor.of(i32, address, address, u64, address, address, address, address));
        decompress = linker.downcallHandle(find(library, "tjDecompress2"),
                FunctionDescriptor.of(i32, address, address, u64, address, i32, i32, i32, i32, i32));
        compress = linker.downcallHandle(find(library, "tjCompress2"),
                FunctionDescriptor.of(i32, address, address, i32, i32, i32, i32, address, address, i32, i32, i32));
        bufSize = linker.downcallHandle(find(library, "tjBufSize"), FunctionDescriptor.of(u64, i32, i32, i32));
        destroy = linker.downcallHandle(find(library, "tjDestroy"), FunctionDescriptor.of(i32, address));
    }

    private static MemorySegment find(SymbolLookup library, String name) {
        return library.find(name).orElseThrow(() -> new IllegalStateException("libturbojpeg lacks " + name));
    }

    /**
     * The codec when libturbojpeg can be loaded (by name through the system's library path, or from
     * {@code DUET_TURBOJPEG_LIBRARY}), else empty. Needs {@code --enable-native-access=ALL-UNNAMED}
     * to run without a warning.
     */
    public static Optional<TurboJpegCodec> load() {
        String configured = System.getenv("DUET_TURBOJPEG_LIBRARY");
        String[] candidates = configured != null && !configured.isBlank()
                ? new String[] {configured}
                : new String[] {"libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "libturbojpeg.dylib"};
        for (String candidate : candidates) {
            try {
                return Optional.of(new TurboJpegCodec(SymbolLookup.libraryLookup(candidate, Arena.global())));
            } catch (IllegalArgumentException | IllegalStateException | UnsatisfiedLinkError e) {
                // Not installed under this name: try the next, then fall back to pure Java.
            }
        }
        return Optional.empty();
    }

    @Override
    public String name() {
        return "libjpeg-turbo";
    }

    @Override
    public BufferedImage decode(byte[] jpeg, int minWidth, int minHeight) throws ImageRejectedException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) initDecompress.invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("tjInitDecompress failed");
            }
            try {
                MemorySegment source = arena.allocate(jpeg.length);
                MemorySegment.copy(jpeg, 0, source, ValueLayout.JAVA_BYTE, 0, jpeg.length);
                MemorySegment ints = arena.allocate(ValueLayout.JAVA_INT, 4);
                int status = (int) decompressHeader.invokeExact(handle, source, (long) jpeg.length, ints,
                        ints.asSlice(4), ints.asSlice(8), ints.asSlice(12));
                if (status != 0) {
                    throw rejected(jpeg);
                }
                int width = ints.getAtIndex(ValueLayout.JAVA_INT, 0);
                int height = ints.getAtIndex(ValueLayout.JAVA_INT, 1);
                int colorspace = ints.getAtIndex(ValueLayout.JAVA_INT, 3);
                if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
                    throw new ImageRejectedException("unsupported-color-space", "CMYK JPEG");
                }
                int n = JpegCodec.eighths(width, height, minWidth, minHeight);
                int scaledWidth = JpegCodec.scaled(width, n);
                int scaledHeight = JpegCodec.scaled(height, n);
                MemorySegment pixels = arena.allocate((long) scaledWidth * scaledHeight * 4, 16);
                status = (int) decompress.invokeExact(handle, source, (long) jpeg.length, pixels, scaledWidth, 0,
                        scaledHeight, TJPF_BGRX, TJFLAG_STOPONWARNING);
                if (status != 0) {
                    throw rejected(jpeg);
                }
                BufferedImage image = new BufferedImage(scaledWidth, scaledHeight, BufferedImage.TYPE_INT_RGB);
                int[] data = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
                MemorySegment.copy(pixels, ValueLayout.JAVA_INT, 0, data, 0, data.length);
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
        return new ImageRejectedException(Pipeline.endsWithEoi(jpeg) ? "corrupt-image" : "truncated-image",
                "libjpeg-turbo refused the data");
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
                ? packed.getScanlineStride() : width;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) initCompress.invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("tjInitCompress failed");
            }
            try {
                MemorySegment pixels = arena.allocate((long) stride * height * 4, 16);
                MemorySegment.copy(data, offset, pixels, ValueLayout.JAVA_INT, 0, stride * height);
                long capacity = (long) bufSize.invokeExact(width, height, TJSAMP_420);
                MemorySegment out = arena.allocate(capacity);
                MemorySegment outPointer = arena.allocate(ValueLayout.ADDRESS);
                outPointer.set(ValueLayout.ADDRESS, 0, out);
                MemorySegment outSize = arena.allocate(ValueLayout.JAVA_LONG);
                outSize.set(ValueLayout.JAVA_LONG, 0, capacity);
                int q = Math.max(1, Math.min(100, Math.round(quality * 100)));
                int status = (int) compress.invokeExact(handle, pixels, width, stride * 4, height, TJPF_BGRX, outPointer,
                        outSize, TJSAMP_420, q, TJFLAG_NOREALLOC);
                if (status != 0) {
                    throw new IllegalStateException("tjCompress2 failed");
                }
                return out.asSlice(0, outSize.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
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
