package io.duet.api.couple;

import java.security.SecureRandom;
import java.util.Optional;

/**
 * Invite codes: 8 characters of Crockford's base32 (40 bits from a CSPRNG), shown as two groups of four
 * ({@code K7QM-3XWD}) so they can be read over the phone. Reading a typed code forgives what people do:
 * lower case, spaces and dashes anywhere, O for 0, I and L for 1.
 */
final class InviteCodes {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    static final int LENGTH = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private InviteCodes() {}

    /** A new code in its stored form (8 characters, no dash). */
    static String mint() {
        char[] code = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            code[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(code);
    }

    /** The stored form as users see it: {@code K7QM-3XWD}. */
    static String display(String code) {
        return code.substring(0, 4) + "-" + code.substring(4);
    }

    /** A typed code in its stored form, or empty when it cannot be a code. */
    static Optional<String> read(String typed) {
        StringBuilder code = new StringBuilder(LENGTH);
        for (int i = 0; i < typed.length(); i++) {
            char c = Character.toUpperCase(typed.charAt(i));
            if (c == '-' || c == ' ') {
                continue;
            }
            c = switch (c) {
                case 'O' -> '0';
                case 'I', 'L' -> '1';
                default -> c;
            };
            if (c > 127 || java.util.Arrays.binarySearch(ALPHABET, c) < 0) {
                return Optional.empty();
            }
            code.append(c);
        }
        return code.length() == LENGTH ? Optional.of(code.toString()) : Optional.empty();
    }
}
