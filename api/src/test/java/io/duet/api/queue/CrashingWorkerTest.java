package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Await;
import io.duet.api.testing.TestDb;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Worker processes (separate JVMs) are killed with SIGKILL while they run jobs. Their un-acked jobs are
 * claimed by the next worker after claim-idle, and every job has its effect exactly once.
 */
@MicronautTest(transactional = false)
class CrashingWorkerTest {
    private static final int JOBS = 1_000;

    @Inject
    JobQueue jobs;

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    RedissonClient redis;

    @Inject
    JobStreams streams;

    @Test
    void givenWorkersKilledMidJob_when1000JobsRun_thenNoneLostAndNoneTwice() throws Exception {
        TestHandlers.createEffectTable();
        String queue = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        for (int batch = 0; batch < JOBS / 100; batch++) {
            int first = batch * 100;
            transactions.executeWrite(status -> {
                for (int i = first; i < first + 100; i++) {
                    jobs.enqueue(queue, "{\"n\":" + i + "}");
                }
                return null;
            });
        }

        List<Long> doneAtKill = new ArrayList<>();
        List<Long> pendingAtKill = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            Process worker = startWorker(queue, round);
            long target = round * 150L;
            Await.until(Duration.ofSeconds(60), () -> TestHandlers.effects(queue, true), n -> n >= target);
            worker.destroyForcibly().waitFor();
            doneAtKill.add(TestHandlers.effects(queue, true));
            pendingAtKill.add(streams.stats(queue).pending());
        }
        Process last = startWorker(queue, 4);
        try {
            Await.until(Duration.ofSeconds(90), () -> TestHandlers.effects(queue, true), n -> n == JOBS);
        } finally {
            last.destroy();
            last.waitFor();
        }

        // Each kill caught jobs in flight (delivered, not acked): without claiming they would be lost.
        assertTrue(pendingAtKill.stream().allMatch(n -> n > 0), "pending at each kill: " + pendingAtKill);
        assertEquals(JOBS, TestHandlers.effects(queue, false), "effects per job, after kills at " + doneAtKill);
        assertEquals(JOBS, TestDb.count("SELECT count(*) FROM processed_job WHERE queue = ?", queue));
        assertEquals(0, redis.getStream("duet:q:" + queue).size());
    }

    private static Process startWorker(String queue, int round) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("duet-worker-" + round + "-", ".log");
        return new ProcessBuilder(
                        java,
                        "-XX:TieredStopAtLevel=1",
                        "-Xshare:auto",
                        "-cp",
                        System.getProperty("java.class.path"),
                        WorkerProcess.class.getName(),
                        queue)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }
}
