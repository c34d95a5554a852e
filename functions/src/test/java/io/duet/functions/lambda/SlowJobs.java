package io.duet.functions.lambda;

import io.duet.api.queue.Job;
import io.duet.api.queue.JobHandler;
import io.duet.api.queue.JobQueue;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** A queue for the drain tests whose jobs take as long as the test says; present only when a test names it. */
@Singleton
@Requires(property = "test.functions.slow-queue")
class SlowJobs implements JobHandler {
    final Set<UUID> done = ConcurrentHashMap.newKeySet();
    volatile long millisPerJob = 60_000;
    private final String queue;
    private final JobQueue jobs;

    SlowJobs(@Value("${test.functions.slow-queue}") String queue, JobQueue jobs) {
        this.queue = queue;
        this.jobs = jobs;
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
        Thread.sleep(millisPerJob);
        done.add(job.id());
    }

    @Transactional
    UUID enqueue() {
        return jobs.enqueue(queue, "{\"v\":1}");
    }
}
