package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.queue.QueueDrain;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A worker function invoked on a schedule: it stops taking jobs a margin before its timeout, returns
 * before the timeout, and puts back what it had not finished, which the next invocation completes.
 */
class QueueDrainTest {
    /** A queue of its own per run, so nothing left in Redis by an earlier run is counted. */
    static final String QUEUE = "fn-slow-" + UUID.randomUUID().toString().substring(0, 8);

    static QueueDrainHandler worker;
    static SlowJobs jobs;

    @BeforeAll
    static void start() {
        worker = new QueueDrainHandler(
                QUEUE,
                TestFunctions.start(Map.of(
                        "test.functions.slow-queue",
                        QUEUE,
                        "duet.function.drain-margin",
                        "1s",
                        "duet.queues.defaults.batch-size",
                        1,
                        "duet.queues.read-block",
                        "200ms"))) {};
        jobs = worker.applicationContext().getBean(SlowJobs.class);
    }

    @AfterAll
    static void stop() {
        worker.applicationContext().close();
    }

    @Test
    void givenJobsLongerThanTheInvocation_whenDrained_thenReturnsBeforeTimeoutAndNextInvocationFinishesThem() {
        Set<UUID> enqueued = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            enqueued.add(jobs.enqueue());
        }
        jobs.millisPerJob = 60_000;
        Duration timeout = Duration.ofSeconds(3);

        long started = System.nanoTime();
        QueueDrain.Result cut = worker.handleRequest(Map.of(), TestLambdaContext.withTimeout(timeout));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(took.compareTo(timeout) < 0, "returned after " + took);
        assertEquals(0, cut.finished(), cut.toString());
        assertEquals(1, cut.released(), cut.toString());
        assertTrue(jobs.done.isEmpty());

        jobs.millisPerJob = 10;
        QueueDrain.Result next = worker.handleRequest(Map.of(), TestLambdaContext.withTimeout(Duration.ofSeconds(30)));

        assertEquals(3, next.finished(), next.toString());
        assertEquals(0, next.released());
        assertEquals(enqueued, jobs.done);
    }

    @Test
    void givenNoTimeLeftBeyondTheMargin_whenInvoked_thenTakesNoJob() {
        QueueDrain.Result result =
                worker.handleRequest(Map.of(), TestLambdaContext.withTimeout(Duration.ofMillis(500)));

        assertEquals(0, result.finished());
        assertEquals(0, result.released());
    }
}
