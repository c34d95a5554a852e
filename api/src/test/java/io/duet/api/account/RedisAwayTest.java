package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.api.testing.Smtp;
import io.duet.api.testing.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis away: signup, sign-in, pairing, messages and reads keep answering (never 500). The rate limits
 * fall back to the node's own counters and say so in a metric; the idempotency key is skipped.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisAwayTest implements TestPropertyProvider {
    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    private TcpProxy redis;

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry meters;

    @Override
    public Map<String, String> getProperties() {
        try {
            redis = new TcpProxy(6379);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of("duet.redis.uri", "redis://127.0.0.1:" + redis.port() + "/0", "duet.redis.command-timeout", "1s");
    }

    @AfterAll
    void closeProxy() throws Exception {
        redis.close();
    }

    @Test
    void givenRedisAway_whenPeopleSignUpSignInPairAndChat_thenNoAnswerIs500() throws Exception {
        Api api = new Api(server.getPort(), json);
        String ada = "away-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String bo = "away-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        AccountFlowTest.signUpAndVerify(api, MAIL, ada);
        AccountFlowTest.signUpAndVerify(api, MAIL, bo);
        redis.cut();
        List<Integer> statuses = new ArrayList<>();

        statuses.add(api.post("/v1/accounts", AccountFlowTest.signUp("away-new-" + UUID.randomUUID() + "@example.com"))
                .status());
        statuses.add(api.post("/v1/sessions", Map.of("email", ada, "password", "wrong-password-123"))
                .status());
        var adaSession = api.post("/v1/sessions", Map.of("email", ada, "password", AccountFlowTest.PASSWORD));
        var boSession = api.post("/v1/sessions", Map.of("email", bo, "password", AccountFlowTest.PASSWORD));
        String adaToken = (String) adaSession.json().get("accessToken");
        String boToken = (String) boSession.json().get("accessToken");
        var invite = api.post("/v1/couple/invites", Map.of(), adaToken);
        var joined = api.post("/v1/couple/join", Map.of("code", invite.json().get("code")), boToken);
        var sent = api.post(
                "/v1/couple/messages",
                Map.of("clientId", UUID.randomUUID().toString(), "text", "still here"),
                adaToken);
        var read = api.get("/v1/couple/messages?limit=10", boToken);

        assertEquals(List.of(202, 401), statuses);
        assertEquals(200, adaSession.status(), adaSession.body());
        assertEquals(200, boSession.status(), boSession.body());
        assertEquals(201, invite.status(), invite.body());
        assertEquals(201, joined.status(), joined.body());
        assertEquals(201, sent.status(), sent.body());
        assertEquals(200, read.status(), read.body());
        assertTrue(read.body().contains("still here"), read.body());
        assertTrue(meters.get("duet.ratelimit.fallback").counter().count() > 0, "the fallback is counted");
        // What needs Redis as its record answers 503 with Retry-After, never 500: the queues' state lives there.
        var queues = api.get("/ops/queues", "test-ops-token");
        assertEquals(503, queues.status(), queues.body());
        assertTrue(queues.headers().firstValue("Retry-After").isPresent(), "Retry-After");
        // The jobs those requests committed wait in the outbox, and the node reports them while Redis is away.
        Await.until(
                Duration.ofSeconds(10),
                () -> meters.get("duet.outbox.backlog").gauge().value(),
                b -> b >= 1);
    }
}
