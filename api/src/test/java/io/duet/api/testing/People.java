package io.duet.api.testing;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * Accounts made straight in the database, with access tokens signed by the test key: for tests about
 * what comes after signup (the signup and verification path has its own tests), so they can make many
 * people fast.
 */
public final class People {
    /** The JWT secret of application-test.yml. */
    public static final String TEST_SECRET = "test-secret-of-duet-0123456789-0123456789-abcdef";

    private People() {}

    public record Person(UUID id, String email, String displayName, String token) {}

    public static Person verified(String displayName) throws Exception {
        return create(displayName, true);
    }

    public static Person unverified(String displayName) throws Exception {
        return create(displayName, false);
    }

    private static Person create(String displayName, boolean verified) throws Exception {
        UUID id = UUID.randomUUID();
        String email = "person-" + id + "@example.com";
        try (var connection = TestDb.open(); var statement = connection.prepareStatement("""
                INSERT INTO account (id, email, email_normalized, password_hash, display_name, locale, verified_at, created_at)
                VALUES (?, ?, ?, 'not-a-hash', ?, 'en', ?, now())""")) {
            statement.setObject(1, id);
            statement.setString(2, email);
            statement.setString(3, email);
            statement.setString(4, displayName);
            statement.setTimestamp(5, verified ? Timestamp.from(Instant.now()) : null);
            statement.executeUpdate();
        }
        return new Person(id, email, displayName, Jwts.hs256(TEST_SECRET, id, 900));
    }
}
