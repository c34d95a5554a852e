package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/accounts/verify} is limited per client address and per email address, behind a
 * trusted proxy (127.0.0.1) so each request can come from its own client. Wrong codes answer 400
 * until a limit is reached, then 429 problem+json with Retry-After.
 */
@MicronautTest(transactional = false)
@Property(name = "duet.rate-limits.trusted-proxies", value = "127.0.0.0/8")
@Property(name = "duet.rate-limits.verify-per-ip", value = "4")
@Property(name = "duet.rate-limits.verify-per-address", value = "3")
class VerifyLimitsTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void givenOneClientTryingCodesAcrossAddresses_whenOverTheClientLimit_thenRateLimited() throws Exception {
        String ip = randomIp();
        for (int i = 0; i < 4; i++) {
            assertEquals(400, verify(ip, AccountFlowTest.fresh(), "000000").statusCode());
        }

        HttpResponse<String> limited = verify(ip, AccountFlowTest.fresh(), "000000");

        assertRateLimited(limited, 60);
        assertEquals(
                400,
                verify(randomIp(), AccountFlowTest.fresh(), "000000").statusCode(),
                "another client is not affected");
    }

    @Test
    void givenManyClientsTryingCodesForOneAddress_whenOverTheAddressLimit_thenRateLimited() throws Exception {
        String email = AccountFlowTest.fresh();
        for (int i = 0; i < 3; i++) {
            assertEquals(400, verify(randomIp(), email, "000000").statusCode());
        }

        HttpResponse<String> limited = verify(randomIp(), email, "000000");

        assertRateLimited(limited, 3600);
        assertEquals(
                400,
                verify(randomIp(), AccountFlowTest.fresh(), "000000").statusCode(),
                "another address is not affected");
    }

    private static void assertRateLimited(HttpResponse<String> limited, long maxRetryAfter) {
        assertEquals(429, limited.statusCode(), limited.body());
        assertEquals(
                "application/problem+json",
                limited.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(limited.body().contains("\"code\":\"rate-limited\""), limited.body());
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= maxRetryAfter, "Retry-After " + retryAfter);
    }

    private HttpResponse<String> verify(String ip, String email, String code) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/v1/accounts/verify"))
                        .header("Content-Type", "application/json")
                        .header("X-Forwarded-For", ip)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                json.writeValueAsString(Map.of("email", email, "code", code))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String randomIp() {
        var random = ThreadLocalRandom.current();
        return "198.51." + random.nextInt(256) + "." + random.nextInt(1, 255);
    }
}
