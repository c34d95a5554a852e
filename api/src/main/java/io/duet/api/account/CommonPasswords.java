package io.duet.api.account;

import jakarta.inject.Singleton;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The bundled list of common and breached passwords ({@code passwords/common-passwords.txt.gz}, source and
 * licence in {@code passwords/SOURCE.md}), held in a hash set: an O(1) check per signup. Compared
 * case-insensitively, since "Password123" is no better than "password123".
 */
@Singleton
class CommonPasswords {
    static final String RESOURCE = "passwords/common-passwords.txt.gz";
    private final Set<String> passwords;

    CommonPasswords() {
        this.passwords = load();
    }

    boolean contains(String password) {
        return passwords.contains(password.toLowerCase(Locale.ROOT));
    }

    int size() {
        return passwords.size();
    }

    private static Set<String> load() {
        InputStream resource = CommonPasswords.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (resource == null) {
            throw new IllegalStateException(RESOURCE + " is missing from the classpath");
        }
        Set<String> set = new HashSet<>(300_000);
        try (var reader =
                new BufferedReader(new InputStreamReader(new GZIPInputStream(resource), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isEmpty()) {
                    set.add(line.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return java.util.Collections.unmodifiableSet(set);
    }
}
