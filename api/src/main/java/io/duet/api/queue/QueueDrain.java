package io.duet.api.queue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works one queue for a bounded time and then stops, for a scheduled AWS Lambda invocation: it takes jobs
 * until the queue is empty or the deadline passes, gives in-flight jobs a grace period, and puts back
 * what is still unfinished so that the next invocation (or a worker node) starts it at once instead of
 * waiting for claim-idle. Nothing keeps running once {@link #drain} has returned.
 */
@Singleton
public class QueueDrain {
    private static final Logger LOG = LoggerFactory.getLogger(QueueDrain.class);

    private final Map<String, JobHandler> handlers = new TreeMap<>();
    private final JobStreams streams;
    private final ProcessedJobs processed;
    private final QueueSettingRepository settings;
    private final QueueDefaults defaults;
    private final QueueConfig config;
    private final MeterRegistry meters;

    QueueDrain(
            Collection<JobHandler> handlers,
            JobStreams streams,
            ProcessedJobs processed,
            QueueSettingRepository settings,
            QueueDefaults defaults,
            QueueConfig config,
            MeterRegistry meters) {
        handlers.forEach(handler -> this.handlers.put(handler.queue(), handler));
        this.streams = streams;
        this.processed = processed;
        this.settings = settings;
        this.defaults = defaults;
        this.config = config;
        this.meters = meters;
    }

    /**
     * What one drain did: jobs settled (done, retried later or dead-lettered), jobs put back unfinished,
     * whether the queue was found paused, and how long it took.
     */
    @Serdeable
    public record Result(String queue, long finished, int released, boolean paused, long millis) {}

    /**
     * Takes jobs of {@code queue} until it is empty or {@code deadline} passes, then lets in-flight jobs
     * finish for {@code grace} and puts the rest back. At most {@code maxConcurrency} jobs run at once
     * (the ops setting of the queue applies below that; a paused queue is left alone).
     *
     * @throws IllegalArgumentException for a queue this process has no handler for
     */
    public Result drain(String queue, Instant deadline, Duration grace, int maxConcurrency) {
        JobHandler handler = handlers.get(queue);
        if (handler == null) {
            throw new IllegalArgumentException("no handler for queue " + queue + "; known: " + handlers.keySet());
        }
        long started = System.nanoTime();
        if (!Instant.now().isBefore(deadline)) {
            return new Result(queue, 0, 0, false, 0);
        }
        int concurrency = defaults.concurrency();
        boolean paused = false;
        try {
            var stored = settings.find(streams.settingKey(queue));
            if (stored.isPresent()) {
                concurrency = stored.get().concurrency();
                paused = stored.get().paused();
            }
        } catch (RuntimeException e) {
            // Whether the queue is paused is unknown: leave it alone, as a paused one, until a drain can read it.
            LOG.atWarn()
                    .addKeyValue("queue", queue)
                    .addKeyValue("cause", e.getClass().getSimpleName())
                    .log("queue settings cannot be read; the queue is left alone this time");
            paused = true;
        }
        if (paused || concurrency == 0) {
            return new Result(queue, 0, 0, true, elapsedMillis(started));
        }
        // A fresh consumer name per drain: a snapshot restored into many environments must not make them
        // share one, and the name is removed again below once it holds nothing.
        String consumer = "fn-" + UUID.randomUUID();
        QueueWorker worker = new QueueWorker(handler, consumer, streams, processed, defaults, config, meters);
        worker.apply(Math.max(1, Math.min(concurrency, maxConcurrency)), false);
        worker.start();
        int released;
        try {
            while (Instant.now().isBefore(deadline) && !(worker.idleReads() > 0 && worker.inFlight() == 0)) {
                Thread.sleep(Math.max(
                        1,
                        Math.min(20, Duration.between(Instant.now(), deadline).toMillis())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            released = worker.stop(grace);
        }
        try {
            streams.removeConsumer(queue, consumer);
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .addKeyValue("queue", queue)
                    .log("could not remove the drain's consumer; worker nodes prune it");
        }
        Result result = new Result(queue, worker.finished(), released, false, elapsedMillis(started));
        LOG.atInfo()
                .addKeyValue("queue", queue)
                .addKeyValue("finished", result.finished())
                .addKeyValue("released", result.released())
                .addKeyValue("millis", result.millis())
                .log("queue drained");
        return result;
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
