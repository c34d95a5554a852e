package io.duet.api.queue;

import io.duet.api.testing.TestDb;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Handlers for the queue tests, each switched on by a property naming its queue, so a test context
 * consumes exactly the queues its test is about.
 */
final class TestHandlers {
    private TestHandlers() {}

    static final String EFFECT_TABLE = """
            CREATE TABLE IF NOT EXISTS test_job_effect (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_id uuid NOT NULL,
                queue text NOT NULL,
                payload text NOT NULL)""";

    static void createEffectTable() throws Exception {
        TestDb.execute(EFFECT_TABLE);
    }

    static long effects(String queue, boolean distinct) throws Exception {
        return TestDb.count(
                "SELECT count(" + (distinct ? "DISTINCT job_id" : "*") + ") FROM test_job_effect WHERE queue = ?",
                queue);
    }

    /** The effect of a test job: a row, written in the job's transaction when there is one. */
    static void recordEffect(JdbcOperations jdbc, Job job) {
        jdbc.prepareStatement("INSERT INTO test_job_effect (job_id, queue, payload) VALUES (?, ?, ?)", statement -> {
            statement.setObject(1, job.id());
            statement.setString(2, job.queue());
            statement.setString(3, job.payload());
            return statement.executeUpdate();
        });
    }

    /** Records every run as a row, in the job's transaction; sleeps up to test.queues.recording-sleep-ms. */
    @Singleton
    @Requires(property = "test.queues.recording")
    static final class Recording implements JobHandler {
        private final String queue;
        private final int sleepMs;
        private final JdbcOperations jdbc;

        Recording(
                @Value("${test.queues.recording}") String queue,
                @Value("${test.queues.recording-sleep-ms:0}") int sleepMs,
                JdbcOperations jdbc) {
            this.queue = queue;
            this.sleepMs = sleepMs;
            this.jdbc = jdbc;
        }

        @Override
        public String queue() {
            return queue;
        }

        @Override
        public void handle(Job job) throws Exception {
            recordEffect(jdbc, job);
            if (sleepMs > 0) {
                Thread.sleep(ThreadLocalRandom.current().nextInt(sleepMs + 1));
            }
        }
    }

    /** Always fails, counting attempts per job. */
    @Singleton
    @Requires(property = "test.queues.failing")
    static final class Failing implements JobHandler {
        final ConcurrentHashMap<UUID, AtomicInteger> attempts = new ConcurrentHashMap<>();
        volatile boolean healed;
        private final String queue;
        private final JdbcOperations jdbc;

        Failing(@Value("${test.queues.failing}") String queue, JdbcOperations jdbc) {
            this.queue = queue;
            this.jdbc = jdbc;
        }

        @Override
        public String queue() {
            return queue;
        }

        @Override
        public void handle(Job job) {
            attempts.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
            if (!healed) {
                throw new IllegalStateException("mail server said 451 try later");
            }
            recordEffect(jdbc, job);
        }
    }

    /** Holds each job until released, so a test can count how many run at once. */
    @Singleton
    @Requires(property = "test.queues.blocking")
    static final class Blocking implements JobHandler {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final Semaphore release = new Semaphore(0);
        private final String queue;

        Blocking(@Value("${test.queues.blocking}") String queue) {
            this.queue = queue;
        }

        @Override
        public String queue() {
            return queue;
        }

        @Override
        public boolean transactional() {
            return false;
        }

        @Override
        public void handle(Job job) throws InterruptedException {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            try {
                release.acquire();
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /** Records every job like Recording, but fails every job whose payload says "poison". */
    @Singleton
    @Requires(property = "test.queues.poison")
    static final class Poison implements JobHandler {
        private final String queue;
        private final JdbcOperations jdbc;

        Poison(@Value("${test.queues.poison}") String queue, JdbcOperations jdbc) {
            this.queue = queue;
            this.jdbc = jdbc;
        }

        @Override
        public String queue() {
            return queue;
        }

        @Override
        public void handle(Job job) {
            recordEffect(jdbc, job);
            if (job.payload().contains("poison")) {
                throw new PermanentJobFailure("cannot be delivered");
            }
        }
    }

    /** An effect outside the database (as a mail is): counts its runs per job, checked and recorded around it. */
    @Singleton
    @Requires(property = "test.queues.outside")
    static final class Outside implements JobHandler {
        final ConcurrentHashMap<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();
        private final String queue;

        Outside(@Value("${test.queues.outside}") String queue) {
            this.queue = queue;
        }

        @Override
        public String queue() {
            return queue;
        }

        @Override
        public boolean transactional() {
            return false;
        }

        @Override
        public void handle(Job job) throws InterruptedException {
            runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(50); // as long as a send: copies running side by side would overlap
        }
    }
}
