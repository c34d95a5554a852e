package io.duet.api.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.client.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue on this node: a reader thread takes as many jobs as there are free handler slots
 * (blocking read), hands each to a virtual thread, and acks, retries or dead-letters it by its outcome.
 * The number of slots and the pause flag can change while it runs.
 */
final class QueueWorker {
    private static final Logger LOG = LoggerFactory.getLogger(QueueWorker.class);

    private final JobHandler handler;
    private final String queue;
    private final String consumer;
    private final JobStreams streams;
    private final ProcessedJobs processed;
    private final QueueDefaults defaults;
    private final QueueConfig config;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<StreamMessageId, Job> inFlight = new ConcurrentHashMap<>();
    private int busySlots;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Counter processedCount;
    private final Counter failedCount;
    private final Counter deadCount;
    private final Counter duplicateCount;
    private final Timer handlerLatency;
    private final Timer startDelay;
    /** Jobs whose outcome is settled (done, duplicate, retry scheduled or dead-lettered) by this worker. */
    private final AtomicLong finished = new AtomicLong();
    /** Reads that found the queue empty while nothing was in flight: how a drain knows it is done. */
    private final AtomicLong idleReads = new AtomicLong();
    /** Jobs put back on the queue unfinished because this worker stopped. */
    private final AtomicLong released = new AtomicLong();

    private volatile int concurrency;
    /** The handler's dependency is down: one job at a time probes it; the rest wait without spending attempts. */
    private volatile boolean dependencyDown;

    private volatile boolean paused;
    private volatile boolean running;
    private Thread reader;
    private boolean groupReady;
    private long nextClaim;
    private long nextPromote;

    QueueWorker(
            JobHandler handler,
            String nodeId,
            JobStreams streams,
            ProcessedJobs processed,
            QueueDefaults defaults,
            QueueConfig config,
            MeterRegistry meters) {
        this.handler = handler;
        this.queue = handler.queue();
        this.consumer = nodeId;
        this.streams = streams;
        this.processed = processed;
        this.defaults = defaults;
        this.config = config;
        this.concurrency = defaults.concurrency();
        this.processedCount = meters.counter("duet.queue.jobs.processed", "queue", queue);
        this.failedCount = meters.counter("duet.queue.jobs.failed", "queue", queue);
        this.deadCount = meters.counter("duet.queue.jobs.dead", "queue", queue);
        this.duplicateCount = meters.counter("duet.queue.jobs.duplicate", "queue", queue);
        this.handlerLatency = Timer.builder("duet.queue.handler.duration")
                .tag("queue", queue)
                .description("Time a handler took, including its transaction")
                .register(meters);
        this.startDelay = Timer.builder("duet.queue.start.delay")
                .tag("queue", queue)
                .description("From the enqueuing commit to the handler starting (first attempts only)")
                .register(meters);
    }

    String queue() {
        return queue;
    }

    int concurrency() {
        return concurrency;
    }

    boolean paused() {
        return paused;
    }

    int inFlight() {
        return inFlight.size();
    }

    long finished() {
        return finished.get();
    }

    long idleReads() {
        return idleReads.get();
    }

    void apply(int newConcurrency, boolean newPaused) {
        lock.lock();
        try {
            if (newConcurrency != concurrency || newPaused != paused) {
                LOG.atInfo()
                        .addKeyValue("queue", queue)
                        .addKeyValue("concurrency", newConcurrency)
                        .addKeyValue("paused", newPaused)
                        .log("queue settings applied");
            }
            concurrency = newConcurrency;
            paused = newPaused;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void start() {
        running = true;
        reader = Thread.ofPlatform().name("duet-queue-" + queue).daemon(true).start(this::loop);
    }

    private void loop() {
        Duration backoff = Duration.ofMillis(100);
        boolean failing = false;
        while (running) {
            try {
                int free = awaitFreeSlots();
                if (free == 0 || !running) {
                    continue;
                }
                int wanted = free * defaults.batchSize();
                Map<StreamMessageId, Job> ready = new java.util.LinkedHashMap<>();
                if (!groupReady) {
                    streams.requireNoEviction();
                    streams.ensureGroup(queue);
                    groupReady = true;
                }
                long now = System.currentTimeMillis();
                if (now >= nextPromote) {
                    streams.promoteDue(queue, 100);
                    nextPromote = now + Math.clamp(defaults.initialBackoff().toMillis() / 2, 20, 1000);
                }
                if (now >= nextClaim && ready.size() < wanted) {
                    nextClaim = now + Math.max(100, defaults.claimIdle().toMillis() / 2);
                    for (JobStreams.ClaimedJob claimed :
                            streams.claimStale(queue, consumer, defaults.claimIdle(), wanted - ready.size())) {
                        if (claimed.deliveries() > defaults.maxAttempts()) {
                            settle(
                                    claimed.messageId(),
                                    claimed.job(),
                                    Outcome.DEAD,
                                    "delivered " + claimed.deliveries() + " times without being acknowledged; "
                                            + "its worker died each time");
                        } else {
                            ready.put(claimed.messageId(), claimed.job());
                        }
                    }
                }
                if (ready.isEmpty()) {
                    ready.putAll(streams.read(queue, consumer, wanted, config.readBlock()));
                }
                if (!ready.isEmpty()) {
                    dispatch(ready);
                } else if (inFlight.isEmpty()) {
                    idleReads.incrementAndGet();
                }
                if (failing) {
                    LOG.atInfo().addKeyValue("queue", queue).log("queue worker recovered");
                    failing = false;
                }
                backoff = Duration.ofMillis(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (e instanceof RedisException
                        && String.valueOf(e.getMessage()).contains("NOGROUP")) {
                    groupReady = false;
                    continue;
                }
                if (!failing) {
                    if (e instanceof EvictingRedisException) {
                        LOG.atError().addKeyValue("queue", queue).log(e.getMessage());
                    } else {
                        LOG.atWarn()
                                .addKeyValue("queue", queue)
                                .addKeyValue("cause", e.getClass().getSimpleName())
                                .log("queue worker cannot read its stream; retrying");
                    }
                    failing = true;
                }
                groupReady = false;
                sleepQuietly(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                        ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
            }
        }
    }

    /** Waits (up to one read-block) until the worker runs and has a free slot; returns the free slots. */
    private int awaitFreeSlots() throws InterruptedException {
        lock.lock();
        try {
            long waitNanos = config.readBlock().toNanos();
            while (running && (paused || busySlots >= slotLimit())) {
                if (waitNanos <= 0) {
                    return 0;
                }
                waitNanos = changed.awaitNanos(waitNanos);
            }
            return running ? Math.max(0, slotLimit() - busySlots) : 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Splits what was read over the free slots: one job per slot while the queue is quiet (no added
     * latency), batches of up to {@code batch-size} when it is busy (one commit and one ack per batch).
     * Jobs read just as a pause took effect go back to the queue at once (through the retry set, due now, their
     * attempt unchanged): held in this process until resume they would outlive what Redis holds of them, and a
     * Redis that lost its data meanwhile gets them relayed again from the outbox, so a held copy would run
     * beside the new one (twice, for a handler whose effect is outside the database: a mail).
     */
    private void dispatch(Map<StreamMessageId, Job> ready) {
        if (paused) {
            ready.forEach((messageId, job) -> settleQuietly(messageId, job, Outcome.RELEASE, null));
            return;
        }
        List<Map.Entry<StreamMessageId, Job>> jobs = withoutCopies(ready);
        int slots;
        lock.lock();
        try {
            slots = Math.max(1, Math.min(slotLimit() - busySlots, jobs.size()));
            busySlots += slots;
        } finally {
            lock.unlock();
        }
        int size = (jobs.size() + slots - 1) / slots;
        for (int from = 0; from < jobs.size(); from += size) {
            List<Map.Entry<StreamMessageId, Job>> batch =
                    List.copyOf(jobs.subList(from, Math.min(jobs.size(), from + size)));
            batch.forEach(entry -> inFlight.put(entry.getKey(), entry.getValue()));
            handlers.execute(() -> process(batch));
        }
        int used = (jobs.size() + size - 1) / size;
        if (used < slots) {
            releaseSlots(slots - used);
        }
    }

    private enum Outcome {
        DONE,
        RETRY,
        DEAD,
        RELEASE,
        WAIT
    }

    /**
     * The jobs read, each job id once. Copies of one job read together would go to separate slots and pass the
     * processed check side by side (twice the mail); the copies are acked at once, the first one runs (and is
     * retried if it fails, so the job is not lost with them).
     */
    private List<Map.Entry<StreamMessageId, Job>> withoutCopies(Map<StreamMessageId, Job> ready) {
        java.util.Set<java.util.UUID> ids = new java.util.HashSet<>();
        List<Map.Entry<StreamMessageId, Job>> jobs = new java.util.ArrayList<>(ready.size());
        List<StreamMessageId> copies = new java.util.ArrayList<>();
        for (var entry : ready.entrySet()) {
            if (ids.add(entry.getValue().id())) {
                jobs.add(entry);
            } else {
                copies.add(entry.getKey());
            }
        }
        if (!copies.isEmpty()) {
            try {
                streams.complete(queue, copies);
                duplicateCount.increment(copies.size());
            } catch (RuntimeException e) {
                // They stay pending and are claimed again later, then skipped as processed.
                LOG.atWarn()
                        .addKeyValue("queue", queue)
                        .addKeyValue("cause", e.getClass().getSimpleName())
                        .log("could not ack copies of jobs read twice; they will be claimed again");
            }
        }
        return jobs;
    }

    /** Handler slots to fill now: the queue's concurrency, or one probe while a dependency is down. */
    private int slotLimit() {
        return dependencyDown ? Math.min(1, concurrency) : concurrency;
    }

    private void process(List<Map.Entry<StreamMessageId, Job>> batch) {
        try {
            Instant now = Instant.now();
            List<Job> jobs = new java.util.ArrayList<>(batch.size());
            for (var entry : batch) {
                jobs.add(entry.getValue());
                if (entry.getValue().attempt() == 1) {
                    startDelay.record(Duration.between(entry.getValue().enqueuedAt(), now));
                }
            }
            List<ProcessedJobs.Result> results = processed.run(jobs, handler);
            List<StreamMessageId> done = new java.util.ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                StreamMessageId messageId = batch.get(i).getKey();
                Job job = batch.get(i).getValue();
                ProcessedJobs.Result result = results.get(i);
                handlerLatency.record(result.nanos(), TimeUnit.NANOSECONDS);
                switch (result.status()) {
                    case DONE -> {
                        processedCount.increment();
                        done.add(messageId);
                        dependencyBack();
                    }
                    case DUPLICATE -> {
                        duplicateCount.increment();
                        done.add(messageId);
                    }
                    case FAILED -> {
                        Outcome outcome = failureOutcome(job, result.error());
                        settleQuietly(messageId, job, outcome, describe(result.error()));
                        (outcome == Outcome.RELEASE ? released : finished).incrementAndGet();
                    }
                }
            }
            if (!done.isEmpty()) {
                finished.addAndGet(done.size());
                try {
                    streams.complete(queue, done);
                } catch (RuntimeException e) {
                    // The jobs stay pending in Redis and are claimed again after claim-idle; their effects
                    // are recorded, so the redelivery is a no-op.
                    LOG.atWarn()
                            .addKeyValue("queue", queue)
                            .addKeyValue("jobs", done.size())
                            .addKeyValue("cause", e.getClass().getSimpleName())
                            .log("could not ack jobs; they will be claimed again");
                }
            }
        } finally {
            batch.forEach(entry -> inFlight.remove(entry.getKey()));
            releaseSlots(1);
        }
    }

    private Outcome failureOutcome(Job job, Exception error) {
        if (handler.dependencyDown(error)) {
            if (!dependencyDown) {
                dependencyDown = true;
                LOG.atWarn()
                        .addKeyValue("queue", queue)
                        .addKeyValue("cause", error.getClass().getSimpleName())
                        .log(
                                "a dependency of the queue is down; probing it with one job at a time, attempts not counted");
            }
            return Outcome.WAIT;
        }
        if (error instanceof PermanentJobFailure) {
            failedCount.increment();
            return Outcome.DEAD;
        }
        if (!running
                && (error instanceof InterruptedException
                        || Thread.currentThread().isInterrupted())) {
            return Outcome.RELEASE;
        }
        failedCount.increment();
        LOG.atWarn()
                .addKeyValue("queue", queue)
                .addKeyValue("jobId", job.id())
                .addKeyValue("attempt", job.attempt())
                .addKeyValue("cause", error.getClass().getSimpleName())
                .log("job failed");
        return job.attempt() >= defaults.maxAttempts() ? Outcome.DEAD : Outcome.RETRY;
    }

    private void settleQuietly(StreamMessageId messageId, Job job, Outcome outcome, String error) {
        try {
            settle(messageId, job, outcome, error);
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .addKeyValue("queue", queue)
                    .addKeyValue("jobId", job.id())
                    .addKeyValue("cause", e.getClass().getSimpleName())
                    .log("could not settle job; it will be claimed again");
        }
    }

    private void releaseSlots(int slots) {
        lock.lock();
        try {
            busySlots -= slots;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void settle(StreamMessageId messageId, Job job, Outcome outcome, String error) {
        switch (outcome) {
            case DONE -> streams.complete(queue, List.of(messageId));
            case RETRY ->
                streams.retryLater(
                        queue, messageId, job.nextAttempt(), Instant.now().plus(backoff(job.attempt())));
            case RELEASE -> streams.retryLater(queue, messageId, job, Instant.now());
            case WAIT -> streams.retryLater(queue, messageId, job, Instant.now().plus(defaults.dependencyProbe()));
            case DEAD -> {
                deadCount.increment();
                LOG.atError()
                        .addKeyValue("queue", queue)
                        .addKeyValue("jobId", job.id())
                        .addKeyValue("attempts", job.attempt())
                        .log("job dead-lettered");
                streams.deadLetter(queue, messageId, job, error, defaults.deadLetterMax());
            }
        }
    }

    /**
     * A job succeeded while the dependency was marked down: it is back. Everything waiting in the retry
     * set goes again now instead of at its own time, and the queue runs at its full concurrency.
     */
    private void dependencyBack() {
        if (!dependencyDown) {
            return;
        }
        dependencyDown = false;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            long released = streams.promoteAll(queue);
            LOG.atInfo()
                    .addKeyValue("queue", queue)
                    .addKeyValue("released", released)
                    .log("the queue's dependency is back; waiting jobs released");
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .addKeyValue("queue", queue)
                    .log("waiting jobs not released at once; they go at their own time");
        }
    }

    boolean dependencyDown() {
        return dependencyDown;
    }

    /** Exponential backoff with "equal jitter": half fixed, half random, so retries of a burst spread out. */
    Duration backoff(int failedAttempt) {
        long base = defaults.initialBackoff().toMillis() << Math.min(failedAttempt - 1, 20);
        long capped = Math.min(base, defaults.maxBackoff().toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String text = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    /**
     * Stops taking jobs, lets in-flight ones finish for the grace period, then interrupts the rest and
     * puts them back on the queue at once, so another node starts them without waiting for claim-idle.
     * Returns how many jobs this worker put back unfinished, in all.
     */
    int stop(Duration grace) {
        running = false;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (reader != null) {
            try {
                reader.join(config.readBlock().toMillis() + 2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handlers.shutdown();
        try {
            if (!handlers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                handlers.shutdownNow();
                handlers.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Map.Entry<StreamMessageId, Job>> unfinished = new java.util.ArrayList<>(inFlight.entrySet());
        unfinished.forEach(entry -> {
            try {
                streams.retryLater(queue, entry.getKey(), entry.getValue(), Instant.now());
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("queue", queue).log("could not release an in-flight job; it will be claimed");
            }
        });
        return (int) released.addAndGet(unfinished.size());
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
