package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.duet.api.testing.TestDb;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A batch of a handler whose effect is outside the database (a mail): each job's effect happens once per
 * job id, however the batch was made up, and the marks of a batch are written together after its effects.
 */
@MicronautTest(transactional = false, startApplication = false)
class ProcessedJobsTest {
    @Inject
    ProcessedJobs processed;

    /** Sends nothing: records what it was asked to do, and fails jobs whose payload says so. */
    static final class OutsideEffects implements JobHandler {
        final List<UUID> effects = new ArrayList<>();
        /** As a handler whose effect is in the database would be run: inside the transaction of its mark. */
        private final boolean transactional;

        OutsideEffects() {
            this(false);
        }

        OutsideEffects(boolean transactional) {
            this.transactional = transactional;
        }

        @Override
        public String queue() {
            return "outside-" + UUID.randomUUID().toString().substring(0, 8);
        }

        @Override
        public boolean transactional() {
            return transactional;
        }

        @Override
        public void handle(Job job) throws Exception {
            if (job.payload().equals("fail")) {
                throw new java.io.IOException("the mail server went away");
            }
            effects.add(job.id());
        }
    }

    private static Job job(String payload) {
        return new Job(UUID.randomUUID(), "outside", payload, 1, Instant.now());
    }

    private static long marked(Job job) throws Exception {
        return TestDb.count("SELECT count(*) FROM processed_job WHERE job_id = ?", job.id());
    }

    @Nested
    class GivenABatch {
        @Test
        void thenEachJobRunsOnce_andEveryOneIsMarked() throws Exception {
            OutsideEffects handler = new OutsideEffects();
            List<Job> batch = List.of(job("a"), job("b"), job("c"));

            List<ProcessedJobs.Result> results = processed.run(batch, handler);

            assertEquals(batch.stream().map(Job::id).toList(), handler.effects);
            for (int i = 0; i < batch.size(); i++) {
                assertEquals(ProcessedJobs.Status.DONE, results.get(i).status());
                assertEquals(1, marked(batch.get(i)));
            }
        }

        @Test
        void whenItIsDeliveredAgain_thenNothingRunsTwice() throws Exception {
            OutsideEffects handler = new OutsideEffects();
            List<Job> batch = List.of(job("a"), job("b"));
            processed.run(batch, handler);

            List<Job> again = List.of(batch.get(1), job("new"), batch.get(0));
            List<ProcessedJobs.Result> results = processed.run(again, handler);

            assertEquals(
                    List.of(ProcessedJobs.Status.DUPLICATE, ProcessedJobs.Status.DONE, ProcessedJobs.Status.DUPLICATE),
                    results.stream().map(ProcessedJobs.Result::status).toList());
            assertEquals(3, handler.effects.size(), "a, b, then only the new one");
            assertEquals(again.get(1).id(), handler.effects.getLast());
        }

        @Test
        void whenTheSameJobIsInItTwice_thenItRunsOnce_withEitherKindOfHandler() throws Exception {
            for (boolean transactional : new boolean[] {false, true}) {
                OutsideEffects handler = transactional ? new OutsideEffects(true) : new OutsideEffects();
                Job twice = job("twice");
                List<Job> batch = List.of(twice, job("b"), twice);

                List<ProcessedJobs.Result> results = processed.run(batch, handler);

                assertEquals(
                        List.of(ProcessedJobs.Status.DONE, ProcessedJobs.Status.DONE, ProcessedJobs.Status.DUPLICATE),
                        results.stream().map(ProcessedJobs.Result::status).toList(),
                        "transactional " + transactional);
                assertEquals(List.of(twice.id(), batch.get(1).id()), handler.effects, "transactional " + transactional);
                assertEquals(1, marked(twice));
            }
        }

        @Test
        void whenOneFails_thenOnlyItIsLeftUnmarked_forItsRetry() throws Exception {
            OutsideEffects handler = new OutsideEffects();
            List<Job> batch = List.of(job("a"), job("fail"), job("c"));

            List<ProcessedJobs.Result> results = processed.run(batch, handler);

            assertEquals(ProcessedJobs.Status.DONE, results.get(0).status());
            assertEquals(ProcessedJobs.Status.FAILED, results.get(1).status());
            assertInstanceOf(java.io.IOException.class, results.get(1).error());
            assertEquals(ProcessedJobs.Status.DONE, results.get(2).status());
            assertEquals(1, marked(batch.get(0)));
            assertEquals(0, marked(batch.get(1)));
            assertEquals(1, marked(batch.get(2)));
        }
    }
}
