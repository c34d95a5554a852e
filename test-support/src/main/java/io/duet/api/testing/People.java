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

    /**
     * A verified person with a real sign-in: a refresh-token family in the database, and an access token
     * naming it, so that signing out (or revoking) that session can be tested.
     */
    public static Person signedIn(String displayName) throws Exception {
        Person person = create(displayName, true);
        UUID session = UUID.randomUUID();
        try (var connection = TestDb.open();
                var statement = connection.prepareStatement("""
                INSERT INTO refresh_token (id, family_id, account_id, token_hash, created_at, expires_at)
                VALUES (?, ?, ?, ?, now(), now() + interval '1 day')""")) {
            statement.setObject(1, UUID.randomUUID());
            statement.setObject(2, session);
            statement.setObject(3, person.id());
            statement.setBytes(
                    4,
                    java.nio.ByteBuffer.allocate(32)
                            .putLong(session.getMostSignificantBits())
                            .putLong(session.getLeastSignificantBits())
                            .putLong(System.nanoTime())
                            .array());
            statement.executeUpdate();
        }
        return new Person(person.id(), person.email(), displayName, Jwts.hs256(TEST_SECRET, person.id(), session, 900));
    }

    public static Person unverified(String displayName) throws Exception {
        return create(displayName, false);
    }

    private static Person create(String displayName, boolean verified) throws Exception {
        UUID id = UUID.randomUUID();
        String email = "person-" + id + "@example.com";
        try (var connection = TestDb.open();
                var statement = connection.prepareStatement("""
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
