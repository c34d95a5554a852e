package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A deployed unit (here the API function, built as Lambda builds it) refuses to start on secrets anyone
 * could know, and says which setting and why without printing the value.
 */
class SecretsCheckTest {
    private static final String PUBLISHED_KEY = "duet-local-development-secret-change-me-0123456789";

    @Test
    void givenThePublishedDevelopmentKey_whenTheFunctionStarts_thenItRefusesAndNamesTheSetting() {
        String message = failure(Map.of("duet.jwt.secret", PUBLISHED_KEY));

        assertTrue(message.contains("DUET_JWT_SECRET is the published development key"), message);
        assertFalse(message.contains(PUBLISHED_KEY), "the message must not print the key");
    }

    @Test
    void givenAShortKey_whenTheFunctionStarts_thenItRefuses() {
        String message = failure(Map.of("duet.jwt.secret", "only-twenty-six-bytes-long"));

        assertTrue(message.contains("DUET_JWT_SECRET is shorter than 32 bytes"), message);
    }

    @Test
    void givenAShortOpsToken_whenTheFunctionStarts_thenItRefuses() {
        String message = failure(Map.of("duet.ops.token", "ops"));

        assertTrue(message.contains("DUET_OPS_TOKEN is shorter than 32 characters"), message);
        assertFalse(message.contains("=ops"), message);
    }

    @Test
    void givenOwnKeyAndLongOpsToken_whenTheFunctionStarts_thenItRuns() {
        try (ApplicationContext context = TestFunctions.start(Map.of("duet.ops.token", "o".repeat(40)))) {
            assertTrue(context.isRunning());
        }
    }

    private static String failure(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        Throwable thrown =
                assertThrows(Throwable.class, () -> TestFunctions.start(all).close());
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
