package io.duet.api.queue;

import io.duet.api.NodeNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link QueueWorker} for every {@link JobHandler} bean, applies the runtime settings ops keep in
 * PostgreSQL (concurrency, pause: shared by every node of a region, re-read every refresh interval), and publishes the
 * per-queue gauges that dashboards and autoscaling read.
 */
@Context
public class WorkerRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

    private final Map<String, QueueWorker> workers = new TreeMap<>();
    private final Map<String, JobStreams.QueueStats> stats = new ConcurrentHashMap<>();
    private final JobStreams streams;
    private final OutboxRepository outbox;
    private final QueueSettingRepository settings;
    private final QueueConfig config;
    private final QueueDefaults defaults;
    private final String nodeId;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("duet-queue-refresh").daemon(true).factory());
    private volatile long outboxBacklog;
    private volatile Instant outboxOldest;
    private volatile long outboxDeadRows;
    private final Outage redisReads = new Outage(
            "queue metrics refresh from Redis failing; the queue gauges keep their last values",
            "queue metrics refresh from Redis recovered");
    private final Outage postgresReads = new Outage(
            "queue settings and outbox metrics cannot be read from PostgreSQL; the last ones stay",
            "queue settings and outbox metrics readable again");
    private volatile boolean started;
    private volatile Instant nextPrune = Instant.EPOCH;
    /**
     * The outbox backlog is counted exactly up to here (ten times the critical alert's threshold, a few ms of
     * PostgreSQL per sample) and estimated above, so that every node's sampling stays cheap during an outage.
     */
    static final long EXACT_BACKLOG_UP_TO = 100_000;
    /** How long a consumer without pending jobs may stay idle before its name is pruned from the group. */
    static final Duration CONSUMER_IDLE = Duration.ofHours(1);

    WorkerRuntime(
            Collection<JobHandler> handlers,
            JobStreams streams,
            ProcessedJobs processed,
            OutboxRepository outbox,
            QueueSettingRepository settings,
            QueueConfig config,
            QueueDefaults defaults,
            MeterRegistry meters) {
        this.streams = streams;
        this.outbox = outbox;
        this.settings = settings;
        this.config = config;
        this.defaults = defaults;
        this.nodeId = NodeNames.fresh();
        if (config.workersEnabled()) {
            for (JobHandler handler : handlers) {
                if (!config.run().isEmpty() && !config.run().contains(handler.queue())) {
                    continue;
                }
                QueueWorker previous = workers.put(
                        handler.queue(),
                        new QueueWorker(handler, nodeId, streams, processed, defaults, config, meters));
                if (previous != null) {
                    throw new IllegalStateException("two handlers for queue " + handler.queue());
                }
            }
        }
        for (String queue : workers.keySet()) {
            Gauge.builder("duet.queue.depth", () -> stat(queue, s -> s.length() - s.pending() + s.retrying()))
                    .tag("queue", queue)
                    .description("Jobs waiting to start (not yet delivered, or waiting to retry)")
                    .register(meters);
            Gauge.builder("duet.queue.pending", () -> stat(queue, JobStreams.QueueStats::pending))
                    .tag("queue", queue)
                    .description("Jobs delivered to a worker and not yet acknowledged")
                    .register(meters);
            Gauge.builder("duet.queue.retrying", () -> stat(queue, JobStreams.QueueStats::retrying))
                    .tag("queue", queue)
                    .description("Failed jobs waiting for their next attempt")
                    .register(meters);
            Gauge.builder("duet.queue.dead", () -> stat(queue, JobStreams.QueueStats::dead))
                    .tag("queue", queue)
                    .description("Dead letters")
                    .register(meters);
            Gauge.builder("duet.queue.oldest.age", () -> oldestAgeSeconds(queue))
                    .baseUnit("seconds")
                    .tag("queue", queue)
                    .description("Age of the oldest job not yet done")
                    .register(meters);
            Gauge.builder(
                            "duet.queue.concurrency",
                            () -> workers.containsKey(queue)
                                    ? workers.get(queue).concurrency()
                                    : 0)
                    .tag("queue", queue)
                    .description("Handler slots per node")
                    .register(meters);
        }
        if (config.workersEnabled()) {
            // Sampled by the refresher, which only worker nodes run (see onStartup).
            Gauge.builder("duet.outbox.backlog", () -> outboxBacklog)
                    .description("Jobs committed but not yet in Redis")
                    .register(meters);
            Gauge.builder("duet.outbox.oldest.age", () -> outboxOldest == null ? 0 : secondsSince(outboxOldest))
                    .baseUnit("seconds")
                    .description("Age of the oldest job not yet relayed to Redis")
                    .register(meters);
            Gauge.builder("duet.outbox.dead.rows", () -> outboxDeadRows)
                    .description("Dead row versions in outbox_job: falls after each autovacuum pass, unless it trails")
                    .register(meters);
        }
    }

    @EventListener
    void onStartup(StartupEvent event) {
        if (started) {
            return;
        }
        started = true;
        if (!config.workersEnabled()) {
            // An API-only node (a Lambda function) runs nothing between requests: Lambda freezes the
            // process after each response, and a timer waking after the thaw would compete with the
            // next request for its single database connection.
            return;
        }
        try {
            refreshSettings();
        } catch (RuntimeException e) {
            // Not knowing whether a queue is paused, run none until the settings can be read (the next refreshes).
            LOG.atWarn()
                    .addKeyValue("cause", e.getClass().getSimpleName())
                    .log("queue settings cannot be read from PostgreSQL; workers wait paused until they can");
            workers.values().forEach(worker -> worker.apply(defaults.concurrency(), true));
        }
        workers.values().forEach(QueueWorker::start);
        long every = config.refreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        if (!workers.isEmpty()) {
            LOG.atInfo()
                    .addKeyValue("queues", String.join(",", workers.keySet()))
                    .addKeyValue("node", nodeId)
                    .log("queue workers started");
        }
    }

    /** The queues this node works on. */
    public List<String> queues() {
        return List.copyOf(workers.keySet());
    }

    Optional<QueueState> state(String queue) {
        QueueWorker worker = workers.get(queue);
        if (worker == null) {
            return Optional.empty();
        }
        JobStreams.QueueStats s = stats.computeIfAbsent(queue, streams::stats);
        return Optional.of(new QueueState(
                queue,
                worker.concurrency(),
                worker.paused(),
                worker.inFlight(),
                s.length() - s.pending() + s.retrying(),
                s.pending(),
                s.retrying(),
                s.dead(),
                s.oldestEnqueuedAt() == null ? 0 : secondsSince(s.oldestEnqueuedAt())));
    }

    List<QueueState> states() {
        List<QueueState> all = new ArrayList<>();
        for (String queue : workers.keySet()) {
            stats.put(queue, streams.stats(queue));
            state(queue).ifPresent(all::add);
        }
        return all;
    }

    /** Stores the queue's handler slots for every node and applies the stored setting here at once. */
    public Optional<QueueState> setConcurrency(String queue, int concurrency) {
        // A queue without a row runs on the defaults: the row starts from them, not from this node's memory (a node
        // that could not read the settings at start holds its workers paused).
        return store(queue, key -> settings.putConcurrency(key, concurrency, false));
    }

    /** Pauses or resumes the queue on every node, applied here at once; other nodes follow within a refresh. */
    public Optional<QueueState> setPaused(String queue, boolean paused) {
        return store(queue, key -> settings.putPaused(key, defaults.concurrency(), paused));
    }

    /** Writes one field of the queue's row, then applies the row as stored (the other field may be another node's). */
    private Optional<QueueState> store(String queue, java.util.function.Consumer<String> write) {
        QueueWorker worker = workers.get(queue);
        if (worker == null) {
            return Optional.empty();
        }
        String key = streams.settingKey(queue);
        write.accept(key);
        settings.find(key).ifPresent(stored -> worker.apply(stored.concurrency(), stored.paused()));
        return state(queue);
    }

    Optional<QueueWorker> worker(String queue) {
        return Optional.ofNullable(workers.get(queue));
    }

    private void refresh() {
        // PostgreSQL first and apart from Redis: the settings and the outbox's backlog matter most while Redis is away.
        readPostgres();
        try {
            for (String queue : workers.keySet()) {
                stats.put(queue, streams.stats(queue));
            }
            if (Instant.now().isAfter(nextPrune)) {
                nextPrune = Instant.now().plus(Duration.ofMinutes(10));
                for (String queue : workers.keySet()) {
                    int removed = streams.pruneConsumers(queue, nodeId, CONSUMER_IDLE);
                    if (removed > 0) {
                        LOG.atInfo()
                                .addKeyValue("queue", queue)
                                .addKeyValue("consumers", removed)
                                .log("idle consumers pruned");
                    }
                }
            }
            redisReads.ended();
        } catch (RuntimeException e) {
            redisReads.failed(e);
        }
    }

    /** The queues' settings and the outbox's gauges, from PostgreSQL. */
    private void readPostgres() {
        try {
            refreshSettings();
            OutboxRepository.OutboxHealth health = outbox.health(EXACT_BACKLOG_UP_TO);
            outboxBacklog = health.backlog();
            outboxOldest = health.oldest();
            outboxDeadRows = health.deadRows();
            postgresReads.ended();
        } catch (RuntimeException e) {
            postgresReads.failed(e);
        }
    }

    /**
     * A source the refresher reads: its failure is logged once when it starts and once when it ends, not every
     * refresh. Only the refresher thread touches it.
     */
    private static final class Outage {
        private final String failing;
        private final String recovered;
        private boolean on;

        Outage(String failing, String recovered) {
            this.failing = failing;
            this.recovered = recovered;
        }

        void failed(RuntimeException e) {
            if (!on) {
                on = true;
                LOG.atWarn().addKeyValue("cause", e.getClass().getSimpleName()).log(failing);
            }
        }

        void ended() {
            if (on) {
                on = false;
                LOG.info(recovered);
            }
        }
    }

    /** Applies every queue's stored setting (one query for all), or the defaults where none is stored. */
    private void refreshSettings() {
        if (workers.isEmpty()) {
            return;
        }
        Map<String, QueueSettingRepository.QueueSetting> stored = settings.all().stream()
                .collect(java.util.stream.Collectors.toMap(QueueSettingRepository.QueueSetting::queueKey, s -> s));
        for (QueueWorker worker : workers.values()) {
            QueueSettingRepository.QueueSetting setting = stored.get(streams.settingKey(worker.queue()));
            worker.apply(
                    setting == null ? defaults.concurrency() : setting.concurrency(),
                    setting != null && setting.paused());
        }
    }

    private long stat(String queue, java.util.function.ToLongFunction<JobStreams.QueueStats> field) {
        JobStreams.QueueStats s = stats.get(queue);
        return s == null ? 0 : field.applyAsLong(s);
    }

    private double oldestAgeSeconds(String queue) {
        JobStreams.QueueStats s = stats.get(queue);
        return s == null || s.oldestEnqueuedAt() == null ? 0 : secondsSince(s.oldestEnqueuedAt());
    }

    private static double secondsSince(Instant instant) {
        return Math.max(0, Duration.between(instant, Instant.now()).toMillis() / 1000.0);
    }

    @EventListener
    void onShutdown(ShutdownEvent event) {
        stop();
    }

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
        List<Thread> stopping = new ArrayList<>();
        for (QueueWorker worker : workers.values()) {
            stopping.add(Thread.ofPlatform().start(() -> worker.stop(defaults.shutdownGrace())));
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.clear();
    }
}
