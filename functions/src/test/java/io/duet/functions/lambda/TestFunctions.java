package io.duet.functions.lambda;

import io.duet.api.testing.TestDb;
import io.duet.api.testing.TestRedis;
import io.micronaut.context.ApplicationContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Function contexts for in-process tests: the production Lambda configuration (environments
 * {@code function} and {@code lambda}) pointed at the test PostgreSQL, Redis and GreenMail, with cheap
 * password hashing and no rate limits in the way.
 */
final class TestFunctions {
    private TestFunctions() {}

    static Map<String, Object> properties(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("datasources.default.url", TestDb.url());
        properties.put("duet.redis.uri", TestRedis.uri());
        properties.put("duet.mail.smtp.port", io.duet.api.testing.Smtp.port());
        properties.put("duet.jwt.secret", "test-secret-of-duet-functions-0123456789-abcdef");
        properties.put("duet.accounts.argon2.memory-kib", 1024);
        properties.put("duet.accounts.argon2.iterations", 1);
        properties.put("duet.rate-limits.signup-per-ip", 100000);
        properties.put("duet.rate-limits.sign-in-per-ip", 100000);
        properties.put("duet.rate-limits.verify-per-ip", 100000);
        // The API function and the media worker function share the (local) media store, as in AWS they share S3.
        properties.put("duet.media.dir", MEDIA_DIR.toString());
        properties.putAll(extra);
        return properties;
    }

    /** A function's context; functions never migrate (a deployment does, once), so the test database is brought up to date first. */
    static ApplicationContext start(Map<String, Object> extra) {
        TestDb.migrate();
        return ApiHandler.contextBuilder(properties(extra)).start();
    }

    private static final java.nio.file.Path MEDIA_DIR = mediaDir();

    private static java.nio.file.Path mediaDir() {
        try {
            return java.nio.file.Files.createTempDirectory("duet-functions-media-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
