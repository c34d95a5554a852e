package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Await;
import io.duet.api.testing.RedisAdmin;
import io.duet.api.testing.TestDb;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.exceptions.IllegalTransactionStateException;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamAddArgs;

@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobQueueTest implements TestPropertyProvider {
    private final String recording = "rec-" + UUID.randomUUID().toString().substring(0, 8);
    private final String failing = "fail-" + UUID.randomUUID().toString().substring(0, 8);
    private final String blocking = "block-" + UUID.randomUUID().toString().substring(0, 8);
    private final String poison = "poison-" + UUID.randomUUID().toString().substring(0, 8);
    private final String outside = "outside-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    JobQueue jobs;

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    RedissonClient redis;

    @Inject
    TestHandlers.Failing failingHandler;

    @Inject
    TestHandlers.Blocking blockingHandler;

    @Inject
    TestHandlers.Outside outsideHandler;

    @Inject
    @Client("/")
    HttpClient http;

    @Inject
    MeterRegistry meters;

    @Inject
    OutboxRepository outbox;

    @Override
    public Map<String, String> getProperties() {
        return Map.of(
                "test.queues.recording",
                recording,
                "test.queues.failing",
                failing,
                "test.queues.blocking",
                blocking,
                "test.queues.poison",
                poison,
                "test.queues.outside",
                outside,
                "duet.queues.defaults.max-attempts",
                "3");
    }

    @BeforeAll
    void effects() throws Exception {
        TestHandlers.createEffectTable();
    }

    /** A job runs once, and only when the transaction that enqueued it commits. */
    @Nested
    class Delivery {
        @Test
        void givenTwoCopiesOfAJobReadTogether_whenTheQueueIsQuiet_thenItsOutsideEffectHappensOnce() throws Exception {
            UUID job = UUID.randomUUID();
            String fields = "'job', ARGV[1], 'payload', '{}', 'attempt', '1', 'enqueued', ARGV[2]";
            // Both copies in one script, so that the worker's waiting read returns them together.
            RedisAdmin.command(
                    "EVAL",
                    "redis.call('XADD', KEYS[1], '*', " + fields + "); redis.call('XADD', KEYS[1], '*', " + fields
                            + ")",
                    "1",
                    "duet:q:" + outside,
                    job.toString(),
                    Long.toString(System.currentTimeMillis()));

            Await.until(
                    Duration.ofSeconds(10),
                    () -> TestDb.count("SELECT count(*) FROM processed_job WHERE job_id = ?", job),
                    n -> n == 1);
            Await.until(
                    Duration.ofSeconds(10),
                    () -> Long.parseLong(
                            RedisAdmin.command("XLEN", "duet:q:" + outside).strip()),
                    n -> n == 0);
            assertEquals(1, outsideHandler.runs.get(job).get(), "runs of the job");
        }

        @Test
        void givenRolledBackTransaction_whenCommittedJobHasRun_thenRolledBackJobNeverRan() throws Exception {
            UUID[] rolledBack = new UUID[1];
            assertThrows(
                    IllegalStateException.class,
                    () -> transactions.executeWrite(status -> {
                        rolledBack[0] = jobs.enqueue(recording, "{\"n\":\"rolled-back\"}");
                        throw new IllegalStateException("the business write failed");
                    }));

            UUID committed = transactions.executeWrite(status -> jobs.enqueue(recording, "{\"n\":\"committed\"}"));

            Await.until(Duration.ofSeconds(10), () -> effectsOf(committed), n -> n == 1);
            assertEquals(0, effectsOf(rolledBack[0]));
            assertEquals(0, outboxRows(rolledBack[0]));
        }

        @Test
        void givenCommittedJob_whenDeliveredTwice_thenItsEffectHappensOnce() throws Exception {
            UUID job = transactions.executeWrite(status -> jobs.enqueue(recording, "{\"n\":\"twice\"}"));
            Await.until(Duration.ofSeconds(10), () -> effectsOf(job), n -> n == 1);

            redis.<String, String>getStream("duet:q:" + recording)
                    .add(StreamAddArgs.entries(Map.of(
                            "job",
                            job.toString(),
                            "payload",
                            "{\"n\":\"twice\"}",
                            "attempt",
                            "1",
                            "enqueued",
                            Long.toString(Instant.now().toEpochMilli()))));

            Await.until(
                    Duration.ofSeconds(10),
                    () -> redis.getStream("duet:q:" + recording).size(),
                    n -> n == 0);
            assertEquals(1, effectsOf(job));
        }

        @Test
        void givenBatchWithOnePoisonJob_whenRun_thenTheOthersTakeEffectAndOnlyThePoisonIsDeadLettered()
                throws Exception {
            http.toBlocking().exchange(ops(HttpRequest.POST("/ops/queues/" + poison + "/pause", Map.of())));
            http.toBlocking()
                    .exchange(ops(HttpRequest.PUT("/ops/queues/" + poison + "/concurrency", Map.of("concurrency", 1))));
            List<UUID> good = new java.util.ArrayList<>();
            UUID[] bad = new UUID[1];
            transactions.executeWrite(status -> {
                for (int i = 0; i < 19; i++) {
                    good.add(jobs.enqueue(poison, "{\"n\":" + i + "}"));
                    if (i == 9) {
                        bad[0] = jobs.enqueue(poison, "{\"poison\":true}");
                    }
                }
                return null;
            });
            Await.until(
                    Duration.ofSeconds(5),
                    () -> TestDb.count(
                            "SELECT count(*) FROM outbox_job WHERE queue = ? AND relayed_seq IS NULL", poison),
                    n -> n == 0);

            http.toBlocking().exchange(ops(HttpRequest.POST("/ops/queues/" + poison + "/resume", Map.of())));

            Await.until(Duration.ofSeconds(10), () -> TestHandlers.effects(poison, true), n -> n == 19);
            List<Map<String, Object>> dead =
                    Await.until(Duration.ofSeconds(10), () -> deadLetters(poison), l -> l.size() == 1);
            assertEquals(bad[0].toString(), dead.getFirst().get("jobId"));
            assertEquals(
                    1, ((Number) dead.getFirst().get("attempts")).intValue(), "a permanent failure is not retried");
            assertEquals(0, effectsOf(bad[0]), "the failed job's effect was rolled back");
            for (UUID job : good) {
                assertEquals(1, effectsOf(job));
            }
        }

        @Test
        void givenNoTransaction_whenEnqueued_thenRefused() {
            assertThrows(IllegalTransactionStateException.class, () -> jobs.enqueue(recording, "{}"));
        }
    }

    /** A job that keeps failing is dead-lettered with its error, and can be replayed. */
    @Nested
    class Failures {
        @Test
        void givenAlwaysFailingHandler_whenAttemptsRunOut_thenDeadLetteredWithErrorAndReplayable() throws Exception {
            failingHandler.healed = false;
            UUID job = transactions.executeWrite(status -> jobs.enqueue(failing, "{\"to\":\"account-1\"}"));

            List<Map<String, Object>> dead =
                    Await.until(Duration.ofSeconds(15), () -> deadLetters(failing), l -> l.size() == 1);

            assertEquals(job.toString(), dead.getFirst().get("jobId"));
            assertEquals(3, ((Number) dead.getFirst().get("attempts")).intValue());
            assertTrue(String.valueOf(dead.getFirst().get("error")).contains("451 try later"));
            assertEquals(3, failingHandler.attempts.get(job).get());

            // A replay naming an id that is not a dead letter moves nothing, and says which id.
            var refused = assertThrows(
                    io.micronaut.http.client.exceptions.HttpClientResponseException.class,
                    () -> http.toBlocking()
                            .exchange(ops(HttpRequest.POST(
                                    "/ops/queues/" + failing + "/dead/replay",
                                    Map.of(
                                            "ids",
                                            List.of(
                                                    String.valueOf(
                                                            dead.getFirst().get("id")),
                                                    "1-0"))))));
            assertEquals(404, refused.getStatus().getCode());
            assertTrue(refused.getResponse().getBody(String.class).orElse("").contains("not-dead-letters"));
            assertTrue(refused.getResponse().getBody(String.class).orElse("").contains("1-0"));
            assertEquals(1, deadLetters(failing).size(), "nothing replayed");

            failingHandler.healed = true;
            var replayed = http.toBlocking()
                    .retrieve(
                            ops(HttpRequest.POST("/ops/queues/" + failing + "/dead/replay", Map.of())),
                            Argument.mapOf(String.class, Object.class));

            assertEquals(1, ((Number) replayed.get("replayed")).intValue());
            Await.until(Duration.ofSeconds(10), () -> effectsOf(job), n -> n == 1);
            assertTrue(deadLetters(failing).isEmpty());
        }
    }

    /** Concurrency and pause, changed while the queue runs. */
    @Nested
    class RuntimeControls {
        @Test
        void givenBusyQueue_whenConcurrencyRaisedAtRuntime_thenMoreJobsRunAtOnce() throws Exception {
            for (int i = 0; i < 12; i++) {
                transactions.executeWrite(status -> jobs.enqueue(blocking, "{}"));
            }
            Await.until(Duration.ofSeconds(10), blockingHandler.running::get, n -> n == 4);
            Thread.sleep(300);
            assertEquals(4, blockingHandler.maxRunning.get());

            var state = http.toBlocking()
                    .retrieve(
                            ops(HttpRequest.PUT("/ops/queues/" + blocking + "/concurrency", Map.of("concurrency", 9))),
                            Argument.mapOf(String.class, Object.class));

            assertEquals(9, ((Number) state.get("concurrency")).intValue());
            Await.until(Duration.ofSeconds(5), blockingHandler.running::get, n -> n == 9);
            blockingHandler.release.release(100);
            Await.until(Duration.ofSeconds(10), blockingHandler.running::get, n -> n == 0);
        }

        @Test
        void givenPausedQueue_whenJobsArrive_thenTheyWaitUntilResumed() throws Exception {
            http.toBlocking().exchange(ops(HttpRequest.POST("/ops/queues/" + recording + "/pause", Map.of())));
            UUID job = transactions.executeWrite(status -> jobs.enqueue(recording, "{\"n\":\"paused\"}"));
            Thread.sleep(1_000);
            assertEquals(0, effectsOf(job));

            http.toBlocking().exchange(ops(HttpRequest.POST("/ops/queues/" + recording + "/resume", Map.of())));

            Await.until(Duration.ofSeconds(10), () -> effectsOf(job), n -> n == 1);
        }

        @Test
        void givenAnotherNodeRaisedConcurrency_whenThisNodePausesBeforeItsRefresh_thenTheRaiseHolds() throws Exception {
            http.toBlocking()
                    .exchange(ops(
                            HttpRequest.PUT("/ops/queues/" + recording + "/concurrency", Map.of("concurrency", 3))));
            try {
                // Another node's write, which this node has not read yet (it refreshes every second).
                transactions.executeWrite(status -> {
                    try (var update = status.getConnection()
                            .prepareStatement("UPDATE queue_setting SET concurrency = 12 WHERE queue_key LIKE ?")) {
                        update.setString(1, "% duet:q:" + recording);
                        return update.executeUpdate();
                    }
                });

                var state = http.toBlocking()
                        .retrieve(
                                ops(HttpRequest.POST("/ops/queues/" + recording + "/pause", Map.of())),
                                Argument.mapOf(String.class, Object.class));

                assertEquals(true, state.get("paused"));
                assertEquals(12, ((Number) state.get("concurrency")).intValue(), "the pause wrote back a stale 3");
                assertEquals("12 true", storedSetting(recording));
                http.toBlocking().exchange(ops(HttpRequest.POST("/ops/queues/" + recording + "/resume", Map.of())));
                assertEquals("12 false", storedSetting(recording));
            } finally {
                http.toBlocking().exchange(ops(HttpRequest.POST("/ops/queues/" + recording + "/resume", Map.of())));
                transactions.executeWrite(status -> {
                    try (var delete = status.getConnection()
                            .prepareStatement("DELETE FROM queue_setting WHERE queue_key LIKE ?")) {
                        delete.setString(1, "% duet:q:" + recording);
                        return delete.executeUpdate();
                    }
                });
            }
        }

        private String storedSetting(String queue) {
            return transactions.executeRead(status -> {
                try (var select = status.getConnection()
                        .prepareStatement("SELECT concurrency, paused FROM queue_setting WHERE queue_key LIKE ?")) {
                    select.setString(1, "% duet:q:" + queue);
                    try (var rs = select.executeQuery()) {
                        return rs.next() ? rs.getInt(1) + " " + rs.getBoolean(2) : "no row";
                    }
                }
            });
        }
    }

    /** The ops endpoints of the queues: the token, the listing, bad input. */
    @Nested
    class OpsApi {
        @Test
        void givenNoOpsToken_whenQueuesListed_thenUnauthorizedProblem() {
            var error = assertThrows(
                    HttpClientResponseException.class,
                    () -> http.toBlocking().exchange(HttpRequest.GET("/ops/queues")));

            assertEquals(HttpStatus.UNAUTHORIZED, error.getStatus());
            assertEquals(
                    "application/problem+json",
                    error.getResponse().getContentType().orElseThrow().toString());
            assertTrue(error.getResponse().getBody(String.class).orElseThrow().contains("ops-token-required"));
        }

        @Test
        void givenWrongOpsToken_whenQueuesListed_thenUnauthorized() {
            var error = assertThrows(
                    HttpClientResponseException.class,
                    () -> http.toBlocking()
                            .exchange(HttpRequest.GET("/ops/queues").bearerAuth("guess")));

            assertEquals(HttpStatus.UNAUTHORIZED, error.getStatus());
        }

        @Test
        void givenOpsToken_whenQueuesListed_thenEveryQueueOfThisNodeWithItsFigures() {
            List<Map> queues =
                    http.toBlocking().retrieve(ops(HttpRequest.GET("/ops/queues")), Argument.listOf(Map.class));

            assertTrue(
                    queues.stream()
                            .anyMatch(q -> recording.equals(q.get("name"))
                                    && q.containsKey("waiting")
                                    && q.containsKey("oldestAgeSeconds")
                                    && q.containsKey("dead")),
                    queues.toString());
        }

        @Test
        void givenUnknownQueue_whenConcurrencySet_thenNotFoundProblem() {
            var error = assertThrows(
                    HttpClientResponseException.class,
                    () -> http.toBlocking()
                            .exchange(ops(HttpRequest.PUT(
                                    "/ops/queues/no-such-queue/concurrency", Map.of("concurrency", 2)))));

            assertEquals(HttpStatus.NOT_FOUND, error.getStatus());
        }

        @Test
        void givenNegativeConcurrency_whenSet_thenValidationProblem() {
            var error = assertThrows(
                    HttpClientResponseException.class,
                    () -> http.toBlocking()
                            .exchange(ops(HttpRequest.PUT(
                                    "/ops/queues/" + recording + "/concurrency", Map.of("concurrency", -1)))));

            assertEquals(HttpStatus.BAD_REQUEST, error.getStatus());
            assertFalse(error.getResponse().getBody(String.class).orElse("").isEmpty());
        }
    }

    /** What ops watch of the outbox's upkeep (the CI machine's PostgreSQL runs without autovacuum). */
    @Nested
    class OutboxUpkeep {
        @Test
        void givenChurnedOutbox_whenVacuumed_thenDeadRowsGaugeRoseAndFellBack() throws Exception {
            String queue = "churn-" + UUID.randomUUID().toString().substring(0, 8);
            double before = deadRows();
            try (Connection connection = TestDb.open();
                    var statement = connection.createStatement()) {
                // Rows marked relayed to a Redis no relay here talks to: neither relayed nor reconciled.
                statement.execute("INSERT INTO outbox_job (job_id, queue, payload, created_at, relayed_to, "
                        + "relayed_epoch, relayed_seq) SELECT gen_random_uuid(), '" + queue
                        + "', '{}', now(), 'elsewhere:6379/0', 'e', 0 FROM generate_series(1, 3000)");
                statement.execute("DELETE FROM outbox_job WHERE queue = '" + queue + "'");
            } // a closing session flushes its statistics

            double peak = Await.until(Duration.ofSeconds(10), JobQueueTest.this::deadRows, d -> d >= before + 3000);
            TestDb.execute("VACUUM outbox_job");

            Await.until(Duration.ofSeconds(10), JobQueueTest.this::deadRows, d -> d <= peak - 3000);
        }

        @Test
        void givenRelayHeldOff_whenJobsWait_thenBacklogAndOldestAgeShowThemUntilRelayed() throws Exception {
            List<UUID> held = new java.util.ArrayList<>();
            // From an empty outbox, so that the five held jobs are the whole backlog and their positions one span.
            Await.until(Duration.ofSeconds(10), () -> gauge("duet.outbox.backlog"), b -> b == 0);
            try (Connection holder = TestDb.open();
                    var statement = holder.createStatement()) {
                // Another session holds the relay's fleet-wide lock: no relay moves anything meanwhile.
                statement.execute("SELECT pg_advisory_lock(" + OutboxRelay.LOCK_KEY + ")");
                for (int i = 0; i < 5; i++) {
                    held.add(transactions.executeWrite(status -> jobs.enqueue(recording, "{\"n\":\"held\"}")));
                }

                Await.until(Duration.ofSeconds(10), () -> gauge("duet.outbox.backlog"), b -> b >= 5);
                Await.until(Duration.ofSeconds(10), () -> gauge("duet.outbox.oldest.age"), age -> age >= 1);
                // Past the exact count, the span of positions: these five were committed one after the other.
                assertEquals(5, outbox.health(1_000).backlog());
                assertEquals(5, outbox.health(3).backlog());
                for (UUID job : held) {
                    assertEquals(0, effectsOf(job), "ran while its row could not be relayed");
                }
                statement.execute("SELECT pg_advisory_unlock(" + OutboxRelay.LOCK_KEY + ")");
            }

            for (UUID job : held) {
                Await.until(Duration.ofSeconds(10), () -> effectsOf(job), n -> n == 1);
            }
            Await.until(Duration.ofSeconds(10), () -> gauge("duet.outbox.backlog"), b -> b == 0);
            Await.until(Duration.ofSeconds(10), () -> gauge("duet.outbox.oldest.age"), age -> age == 0);
        }
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private <T> HttpRequest<T> ops(io.micronaut.http.MutableHttpRequest<T> request) {
        return request.bearerAuth("test-ops-token");
    }

    private List<Map<String, Object>> deadLetters(String queue) {
        List<Map> letters = http.toBlocking()
                .retrieve(ops(HttpRequest.GET("/ops/queues/" + queue + "/dead")), Argument.listOf(Map.class));
        return letters.stream().map(m -> (Map<String, Object>) m).toList();
    }

    private long effectsOf(UUID job) throws Exception {
        return TestDb.count("SELECT count(*) FROM test_job_effect WHERE job_id = ?", job);
    }

    private double deadRows() {
        return gauge("duet.outbox.dead.rows");
    }

    private long outboxRows(UUID job) throws Exception {
        return TestDb.count("SELECT count(*) FROM outbox_job WHERE job_id = ?", job);
    }
}
