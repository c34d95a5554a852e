package io.duet.api.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.capacity.CapacityInputs;
import io.duet.capacity.CapacityModel;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The promotion panel's data: what the capacity model (the infra's own, from the same inputs file) needs at a
 * target, beside what the nodes report; bad targets are 4xx problems.
 */
@MicronautTest(transactional = false)
class CapacityTest {
    private static final String TOKEN = "test-ops-token";

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    Fleet fleet;

    @Test
    void givenATarget_whenAsked_thenTheModelsNeedsBesideThisNodeRunning() throws Exception {
        Api api = new Api(server.getPort(), json);
        CapacityModel.Needs expected = new CapacityModel(CapacityInputs.standard()).needs(6000);

        // This node writes its line every 5 s (the first 2 s after start).
        Api.Answer answer = Await.until(
                Duration.ofSeconds(20),
                () -> api.get("/ops/capacity?signupsPerMinute=6000", TOKEN),
                a -> a.status() != 200 || a.body().contains(fleet.id()));

        assertEquals(200, answer.status(), answer.body());
        Map<?, ?> needed = (Map<?, ?>) answer.json().get("needed");
        assertEquals(6000, ((Number) needed.get("signupsPerMinute")).intValue());
        assertEquals(expected.workers(), ((Number) needed.get("workers")).intValue());
        assertEquals(expected.gateways(), ((Number) needed.get("gateways")).intValue());
        assertEquals(expected.connections(), ((Number) needed.get("connections")).longValue());
        assertEquals(
                expected.signupProvisionedConcurrency(),
                ((Number) needed.get("signupProvisionedConcurrency")).intValue());
        Map<?, ?> running = (Map<?, ?>) answer.json().get("running");
        assertEquals(true, running.get("reported"));
        Map<?, ?> self = ((List<?>) running.get("nodes"))
                .stream()
                        .map(Map.class::cast)
                        .filter(node -> fleet.id().equals(node.get("id")))
                        .findFirst()
                        .orElseThrow();
        // The test node serves everything and works the queues: it counts as an API node and a worker.
        assertEquals(List.of("api", "worker"), self.get("roles"));
        assertTrue(((List<?>) self.get("queues")).contains("email"), self.toString());
        assertTrue(((Number) running.get("workers")).intValue() >= 1);
        assertTrue(((Number) running.get("apiNodes")).intValue() >= 1);
    }

    @Test
    void givenATargetBeyondTheSesRate_whenAsked_then422NamingTheLimit() throws Exception {
        Api api = new Api(server.getPort(), json);

        Api.Answer answer = api.get("/ops/capacity?signupsPerMinute=60000", TOKEN);

        assertEquals(422, answer.status(), answer.body());
        assertEquals("beyond-capacity-limits", answer.json().get("code"));
        assertTrue(answer.json().get("detail").toString().startsWith("60000 signups/min: sends 1000 verification"));
    }

    @Test
    void givenBadTargetsOrNoToken_whenAsked_thenProblemsAndNoData() throws Exception {
        Api api = new Api(server.getPort(), json);

        for (String bad : List.of("-5", "lots", "10000001")) {
            Api.Answer answer = api.get("/ops/capacity?signupsPerMinute=" + bad, TOKEN);
            assertEquals(400, answer.status(), bad + ": " + answer.body());
            assertTrue(answer.contentType().startsWith("application/problem+json"), answer.contentType());
        }
        Api.Answer anonymous = api.get("/ops/capacity", null);
        assertEquals(401, anonymous.status());
        assertEquals("ops-token-required", anonymous.json().get("code"));
        assertTrue(!anonymous.body().contains("needed"));
    }
}
