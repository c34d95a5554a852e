package io.duet.api.account;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What we accept as an email address, and its normalized form (the unique key). Deliberately strict:
 * ASCII only (no look-alike Unicode, no IDN for now), no whitespace or control characters inside, a dot
 * in the domain, at most 254 characters. Leading and trailing whitespace is trimmed, case is folded.
 */
final class EmailAddresses {
    private static final Pattern ADDRESS =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    + "@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}");

    private EmailAddresses() {}

    static boolean valid(String address) {
        String trimmed = address.strip();
        return trimmed.length() <= 254 && ADDRESS.matcher(trimmed).matches();
    }

    static String normalize(String address) {
        return address.strip().toLowerCase(Locale.ROOT);
    }
}
