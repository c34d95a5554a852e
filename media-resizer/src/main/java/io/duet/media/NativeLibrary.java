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
                return Optional.of(bind.apply(new NativeLibrary(candidate, SymbolLookup.libraryLookup(candidate, Arena.global()))));
            } catch (IllegalArgumentException | IllegalStateException | UnsatisfiedLinkError e) {
                // Not installed under this name, or too old: try the next.
            }
        }
        return Optional.empty();
    }

    MemorySegment function(String function) {
        return symbols.find(function).orElseThrow(() -> new IllegalStateException(name + " lacks " + function));
    }
}
