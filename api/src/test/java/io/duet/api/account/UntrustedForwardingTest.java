package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Without trusted proxies, X-Forwarded-For is ignored: a client cannot dodge its rate limit by
 * inventing addresses. Connects over IPv6 loopback so that its bucket is its own.
 */
@MicronautTest(transactional = false)
@Property(name = "duet.rate-limits.signup-per-ip", value = "2")
@Property(name = "micronaut.server.host", value = "::")
class UntrustedForwardingTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    RedissonClient redis;

    @Test
    void givenNoTrustedProxy_whenClientSendsForgedForwardedFor_thenItsOwnAddressIsLimited() throws Exception {
        // The ::1 window may still hold a previous run's signups.
        redis.getKeys().deleteByPattern("duet:rl:signup:ip:0:0:0:0:0:0:0:1");
        HttpClient http = HttpClient.newHttpClient();
        int[] statuses = new int[3];
        for (int i = 0; i < 3; i++) {
            statuses[i] = http.send(
                            HttpRequest.newBuilder(URI.create("http://[::1]:" + server.getPort() + "/v1/accounts"))
                                    .header("Content-Type", "application/json")
                                    .header("X-Forwarded-For", "10.9.8." + (i + 1))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            json.writeValueAsString(AccountFlowTest.signUp(AccountFlowTest.fresh()))))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }

        assertEquals(202, statuses[0]);
        assertEquals(202, statuses[1]);
        assertEquals(429, statuses[2], "the forged header did not open a new bucket");
    }
}
