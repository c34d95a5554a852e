package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Await;
import io.duet.api.testing.TcpProxy;
import io.duet.api.testing.TestDb;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Redis goes away while requests enqueue jobs: requests still succeed, and every job runs once it returns. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisOutageTest implements TestPropertyProvider {
    private final String queue = "outage-" + UUID.randomUUID().toString().substring(0, 8);
    private TcpProxy redis;

    @Inject
    EmbeddedServer server;

    @Inject
    OutboxRelay relay;

    @Override
    public Map<String, String> getProperties() {
        try {
            TestHandlers.createEffectTable();
            redis = new TcpProxy(6379);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of(
                "duet.redis.uri",
                "redis://127.0.0.1:" + redis.port() + "/0",
                "duet.redis.command-timeout",
                "1s",
                "test.queues.recording",
                queue);
    }

    @AfterAll
    void closeProxy() throws Exception {
        redis.close();
    }

    @Test
    void givenRedisUnreachable_when500JobsEnqueuedThroughRequests_thenNoRequestFailsAndAllRunAfterRedisReturns()
            throws Exception {
        redis.cut();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Future<Integer>> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 500; i++) {
                String body = "{\"queue\":\"" + queue + "\",\"payload\":\"{\\\"n\\\":" + i + "}\"}";
                answers.add(clients.submit(() -> http.send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + server.getPort() + "/test/jobs"))
                                        .timeout(Duration.ofSeconds(10))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
            }
        }
        long failed = 0;
        for (Future<Integer> answer : answers) {
            if (answer.get() != 202) {
                failed++;
            }
        }
        assertEquals(0, failed);
        assertEquals(0, TestHandlers.effects(queue, false));
        assertTrue(TestDb.count("SELECT count(*) FROM outbox_job WHERE queue = ?", queue) == 500);

        redis.restore();

        Await.until(Duration.ofSeconds(60), () -> TestHandlers.effects(queue, true), n -> n == 500);
        assertEquals(500, TestHandlers.effects(queue, false));
        // Each row stays until its job is processed, then the reconciler deletes it.
        Await.until(
                Duration.ofSeconds(10),
                () -> TestDb.count("SELECT count(*) FROM outbox_job WHERE queue = ?", queue),
                n -> n == 0);
    }
}
