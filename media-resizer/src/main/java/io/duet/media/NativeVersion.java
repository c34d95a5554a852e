package io.duet.media;

import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A native library's release as dotted numbers ({@code 2.1.5}), compared number by number. The
 * resize worker reads the version of libjpeg-turbo and libpng it actually loaded and refuses (falls
 * back to the pure-Java decoders) below a configured minimum, so an old, vulnerable system library is
 * never handed attacker-supplied files.
 */
record NativeVersion(int[] parts) implements Comparable<NativeVersion> {
    private static final Pattern DOTTED = Pattern.compile("(\\d{1,4})(?:\\.(\\d{1,4}))?(?:\\.(\\d{1,4}))?");

    static NativeVersion parse(String text) {
        var matcher = DOTTED.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a dotted version: " + text);
        }
        int[] parts = new int[3];
        for (int i = 0; i < 3; i++) {
            String group = matcher.group(i + 1);
            parts[i] = group == null ? 0 : Integer.parseInt(group);
        }
        return new NativeVersion(parts);
    }

    /** libpng's {@code png_access_version_number()}: major * 10000 + minor * 100 + release (10639 is 1.6.39). */
    static NativeVersion ofLibpngNumber(long number) {
        return new NativeVersion(new int[] {(int) (number / 10000), (int) (number / 100 % 100), (int) (number % 100)});
    }

    /**
     * libjpeg-turbo's own version string, which its build compiles into the library (the message
     * {@code "libjpeg-turbo version 2.1.5 (build 20230203)"}, what {@code JMSG_VERSION} prints);
     * TurboJPEG 2.x and 3.x have no function that returns it, and the file name carries only the
     * ABI ({@code libturbojpeg.so.0.2.0} for every 2.x), so it is read from the loaded file itself.
     */
    static Optional<NativeVersion> ofLibjpegTurboFile(byte[] library) {
        String text = new String(library, java.nio.charset.StandardCharsets.ISO_8859_1);
        var matcher = Pattern.compile("libjpeg-turbo version (\\d{1,4}\\.\\d{1,4}(?:\\.\\d{1,4})?)")
                .matcher(text);
        return matcher.find() ? Optional.of(parse(matcher.group(1))) : Optional.empty();
    }

    @Override
    public int compareTo(NativeVersion other) {
        return Arrays.compare(parts, other.parts);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NativeVersion version && Arrays.equals(parts, version.parts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(parts);
    }

    @Override
    public String toString() {
        return parts[0] + "." + parts[1] + "." + parts[2];
    }
}
