package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duet.api.testing.Await;
import io.duet.api.testing.PrivateRedis;
import io.duet.api.testing.TestDb;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Redis loses its data while jobs wait in it (a restart without persistence, a replica promoted without
 * the last writes): PostgreSQL still has every job whose effect is not recorded, the reconciler relays
 * them again, and each runs once. A private redis-server, so the test can wipe it.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisDataLossTest implements TestPropertyProvider {
    private final String queue = "loss-" + UUID.randomUUID().toString().substring(0, 8);
    private int port;
    private PrivateRedis redis;

    @Inject
    JobQueue jobs;

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    @Client("/")
    HttpClient http;

    @Override
    public Map<String, String> getProperties() {
        try {
            TestHandlers.createEffectTable();
            redis = PrivateRedis.start();
            port = redis.port();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of(
                "duet.redis.uri",
                "redis://127.0.0.1:" + port + "/0",
                "test.queues.recording",
                queue,
                // The reader waits in XREADGROUP nearly all the time, so a pause reaches it there (a job still
                // arrives the moment it is added).
                "duet.queues.read-block",
                "5s");
    }

    @AfterAll
    void stopRedis() throws Exception {
        redis.close();
    }

    @Test
    void givenJobsWaitingInRedis_whenRedisRestartsEmpty_thenEveryJobRunsOnce() throws Exception {
        pause();
        List<UUID> sent = enqueue(20);
        awaitRelayed(sent);
        assertEquals(0, effects(sent));

        cli("FLUSHALL");
        resume();

        Await.until(Duration.ofSeconds(30), () -> effects(sent), n -> n >= 20);
        Thread.sleep(1_000);
        assertEquals(20, effects(sent), "each job once");
        Await.until(
                Duration.ofSeconds(10),
                () -> TestDb.count("SELECT count(*) FROM outbox_job WHERE queue = ?", queue),
                n -> n == 0);
    }

    @Test
    void givenAFailoverThatLostTheLastBatch_whenReconciled_thenOnlyThatBatchIsRelayedAgain() throws Exception {
        pause();
        List<UUID> kept = enqueue(5);
        awaitRelayed(kept);
        String keptSeq = cli("HGET", "duet:q:relay", "seq").strip();
        List<String> keptEntries = entryIds();
        List<UUID> lost = enqueue(5);
        awaitRelayed(lost);
        assertEquals(0, effects(kept) + effects(lost));

        // What a replica promoted before the last batch reached it looks like: the batch's entries and its seq are
        // gone.
        for (String id : entryIds()) {
            if (!keptEntries.contains(id)) {
                cli("XDEL", "duet:q:" + queue, id);
            }
        }
        cli("HSET", "duet:q:relay", "seq", keptSeq);
        resume();

        Await.until(Duration.ofSeconds(30), () -> effects(kept) + effects(lost), n -> n >= 10);
        Thread.sleep(1_000);
        for (UUID job : kept) {
            assertEquals(1, effects(List.of(job)), "a job Redis kept ran once");
        }
        for (UUID job : lost) {
            assertEquals(1, effects(List.of(job)), "a job the failover lost ran once");
        }
    }

    @Test
    void givenJobsReadJustAsThePauseTookEffect_whenRedisLosesItsDataBeforeResume_thenEachRunsOnce() throws Exception {
        // The pause applies at once on this node, while its reader is blocked on the stream: the jobs committed
        // right after arrive in that read, after the pause. A job run first makes the reader start a fresh read
        // (blocking for read-block, 5 s), so the pause and the jobs land inside it.
        List<UUID> warmUp = enqueue(1);
        Await.until(Duration.ofSeconds(30), () -> effects(warmUp), n -> n == 1);
        http.toBlocking()
                .exchange(HttpRequest.POST("/ops/queues/" + queue + "/pause", Map.of())
                        .bearerAuth("test-ops-token"));
        List<UUID> sent = enqueue(5);
        awaitRelayed(sent);

        // None stays pending to the paused worker: it put back what it read (the retry set, due now).
        Await.until(
                Duration.ofSeconds(10),
                () -> cli("XPENDING", "duet:q:" + queue, JobStreams.GROUP)
                                .lines()
                                .findFirst()
                                .orElse("")
                                .strip()
                        + " " + cli("ZCARD", "duet:q:" + queue + ":retry").strip(),
                pendingAndRetrying -> pendingAndRetrying.startsWith("0 ") && !pendingAndRetrying.endsWith(" 0"));
        assertEquals(0, effects(sent));

        cli("FLUSHALL");
        resume();

        Await.until(Duration.ofSeconds(30), () -> effects(sent), n -> n >= 5);
        Thread.sleep(1_000);
        for (UUID job : sent) {
            assertEquals(1, effects(List.of(job)), "each job once");
        }
    }

    @Test
    void givenRaisedConcurrencyAndAPause_whenRedisRestartsEmpty_thenBothHold() throws Exception {
        http.toBlocking()
                .exchange(HttpRequest.PUT("/ops/queues/" + queue + "/concurrency", Map.of("concurrency", 7))
                        .bearerAuth("test-ops-token"));
        pause();

        cli("FLUSHALL");
        List<UUID> sent = enqueue(3);
        awaitRelayed(sent);
        Thread.sleep(2_000); // two refreshes

        Map<?, ?> state = http.toBlocking()
                .retrieve(HttpRequest.GET("/ops/queues/" + queue).bearerAuth("test-ops-token"), Map.class);
        assertEquals(7, ((Number) state.get("concurrency")).intValue(), state.toString());
        assertEquals(true, state.get("paused"), state.toString());
        assertEquals(0, effects(sent), "a paused queue ran nothing");
        resume();
        Await.until(Duration.ofSeconds(30), () -> effects(sent), n -> n == 3);
    }

    private List<UUID> enqueue(int count) {
        List<UUID> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            sent.add(transactions.executeWrite(status -> jobs.enqueue(queue, "{\"n\":" + n + "}")));
        }
        return sent;
    }

    private void awaitRelayed(List<UUID> jobs) throws Exception {
        Await.until(
                Duration.ofSeconds(10),
                () -> TestDb.count(
                        "SELECT count(*) FROM outbox_job WHERE job_id = ANY(?::uuid[]) "
                                + "AND relayed_seq IS NOT NULL",
                        ids(jobs)),
                n -> n == jobs.size());
    }

    private static long effects(List<UUID> jobs) throws Exception {
        return TestDb.count("SELECT count(*) FROM test_job_effect WHERE job_id = ANY(?::uuid[])", ids(jobs));
    }

    private static String ids(List<UUID> jobs) {
        return "{" + String.join(",", jobs.stream().map(UUID::toString).toList()) + "}";
    }

    private List<String> entryIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : cli("XRANGE", "duet:q:" + queue, "-", "+").split("\n")) {
            if (line.matches("\\d+-\\d+")) {
                ids.add(line);
            }
        }
        return ids;
    }

    private void pause() throws Exception {
        http.toBlocking()
                .exchange(HttpRequest.POST("/ops/queues/" + queue + "/pause", Map.of())
                        .bearerAuth("test-ops-token"));
        Thread.sleep(600);
    }

    private void resume() {
        http.toBlocking()
                .exchange(HttpRequest.POST("/ops/queues/" + queue + "/resume", Map.of())
                        .bearerAuth("test-ops-token"));
    }

    private String cli(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        args.addAll(List.of(command));
        Process cli = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        cli.waitFor();
        return out;
    }
}
