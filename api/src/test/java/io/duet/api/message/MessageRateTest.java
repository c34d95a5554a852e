package io.duet.api.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A send rate per account: past it 429 problem+json with Retry-After; the partner's own budget is untouched. */
@MicronautTest(transactional = false)
@Property(name = "duet.rate-limits.messages-per-account", value = "3")
class MessageRateTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Test
    void givenOneAccountSendingFast_whenOverTheSendRate_thenRateLimitedAndNothingStored() throws Exception {
        Api api = new Api(server.getPort(), json);
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        for (int i = 0; i < 3; i++) {
            assertEquals(201, send(api, pair.a().token(), "hello " + i).status());
        }

        Api.Answer limited = send(api, pair.a().token(), "one too many");

        assertEquals(429, limited.status(), limited.body());
        assertEquals("application/problem+json", limited.contentType());
        assertEquals("rate-limited", limited.json().get("code"));
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(
                201, send(api, pair.b().token(), "the partner still writes").status());
        assertEquals(
                0, io.duet.api.testing.TestDb.count("SELECT count(*) FROM message WHERE body = ?", "one too many"));
    }

    private static Api.Answer send(Api api, String token, String text) throws Exception {
        return api.post(
                "/v1/couple/messages", Map.of("clientId", UUID.randomUUID().toString(), "text", text), token);
    }
}
