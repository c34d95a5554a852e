package io.duet.api.message;

import io.duet.api.web.InvalidFieldException;
import java.text.Normalizer;

/**
 * What a message text may be: Unicode normalized to NFC (so that the same words are the same bytes),
 * 1 to {@value #MAX_LENGTH} characters (code points) after trimming, line breaks and tabs allowed but no
 * other control characters, and no lone surrogates (text that is not valid Unicode).
 */
final class MessageText {
    static final int MAX_LENGTH = 4000;

    private MessageText() {}

    static String check(String text) {
        if (text == null) {
            throw new InvalidFieldException("text", "is required");
        }
        String normalized = Normalizer.normalize(text.replace("\r\n", "\n"), Normalizer.Form.NFC)
                .strip();
        if (normalized.isEmpty()) {
            throw new InvalidFieldException("text", "must not be empty");
        }
        int length = 0;
        for (int i = 0; i < normalized.length(); ) {
            int c = normalized.codePointAt(i);
            if (Character.isSurrogate((char) c) && Character.charCount(c) == 1) {
                throw new InvalidFieldException("text", "is not valid Unicode");
            }
            if (Character.getType(c) == Character.CONTROL && c != '\n' && c != '\t') {
                throw new InvalidFieldException("text", "must not contain control characters");
            }
            length++;
            i += Character.charCount(c);
        }
        if (length > MAX_LENGTH) {
            throw new InvalidFieldException("text", "must be at most " + MAX_LENGTH + " characters");
        }
        return normalized;
    }
}
