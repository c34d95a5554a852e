package io.duet.media;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A shared library the worker calls through FFM, found at the path an environment variable names or
 * else by its usual file names on the system's library path. Calling it needs
 * {@code --enable-native-access=ALL-UNNAMED} to run without a warning.
 */
final class NativeLibrary {
    private final String name;
    private final SymbolLookup symbols;

    private NativeLibrary(String name, SymbolLookup symbols) {
        this.name = name;
        this.symbols = symbols;
    }

    /**
     * The first candidate that loads and that {@code bind} accepts (it throws
     * {@link IllegalStateException} for a missing function, as {@link #function} does), else empty:
     * the caller falls back to pure Java.
     */
    static <T> Optional<T> load(String variable, List<String> names, Function<NativeLibrary, T> bind) {
        String configured = System.getenv(variable);
        List<String> candidates = configured != null && !configured.isBlank() ? List.of(configured) : names;
        for (String candidate : candidates) {
            try {
                return Optional.of(bind.apply(
                        new NativeLibrary(candidate, SymbolLookup.libraryLookup(candidate, Arena.global()))));
            } catch (IllegalArgumentException | IllegalStateException | UnsatisfiedLinkError e) {
                // Not installed under this name, or too old: try the next.
            }
        }
        return Optional.empty();
    }

    /**
     * The file the system loaded for this library (through {@code dladdr} on one of its functions),
     * or empty where that cannot be told.
     */
    Optional<java.nio.file.Path> file(String function) {
        try {
            var linker = java.lang.foreign.Linker.nativeLinker();
            var dladdr = linker.defaultLookup().find("dladdr");
            if (dladdr.isEmpty()) {
                return Optional.empty();
            }
            var handle = linker.downcallHandle(
                    dladdr.get(),
                    java.lang.foreign.FunctionDescriptor.of(
                            java.lang.foreign.ValueLayout.JAVA_INT,
                            java.lang.foreign.ValueLayout.ADDRESS,
                            java.lang.foreign.ValueLayout.ADDRESS));
            try (Arena arena = Arena.ofConfined()) {
                // Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr.
                MemorySegment info = arena.allocate(4 * java.lang.foreign.ValueLayout.ADDRESS.byteSize());
                if ((int) handle.invokeExact(function(function), info) == 0) {
                    return Optional.empty();
                }
                MemorySegment name = info.get(java.lang.foreign.ValueLayout.ADDRESS, 0);
                return name.equals(MemorySegment.NULL)
                        ? Optional.empty()
                        : Optional.of(
                                java.nio.file.Path.of(name.reinterpret(4096).getString(0)));
            }
        } catch (Throwable e) {
            return Optional.empty();
        }
    }

    MemorySegment function(String function) {
        return symbols.find(function).orElseThrow(() -> new IllegalStateException(name + " lacks " + function));
    }
}
