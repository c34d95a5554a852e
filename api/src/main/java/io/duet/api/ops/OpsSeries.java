package io.duet.api.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last hour of this node's signals, sampled every {@value #INTERVAL_SECONDS} s from its own meters, for the
 * live charts of the ops page ({@code GET /ops/series}): per queue depth, oldest age, jobs processed, failed and
 * dead-lettered; the signup funnel; signup-to-mail latency; realtime connections by transport; HTTP p99 and 5xx;
 * pool waits; the outbox backlog. Counters become per-interval differences, histograms per-interval percentiles.
 * A fleet's view is Prometheus and the dashboards in {@code ops/grafana}; this is what one node saw, with nothing
 * else to run.
 */
@Singleton
@Requires(bean = MeterRegistry.class)
public final class OpsSeries {
    static final int INTERVAL_SECONDS = 5;
    static final int KEPT = 3600 / INTERVAL_SECONDS;

    private final MeterRegistry meters;
    private final NodeMeters node;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final Map<String, double[]> lastBuckets = new HashMap<>();

    OpsSeries(MeterRegistry meters) {
        this.meters = meters;
        this.node = new NodeMeters(meters);
    }

    @Scheduled(initialDelay = "1s", fixedRate = INTERVAL_SECONDS + "s")
    synchronized void sample() {
        Map<String, QueuePoint> queues = new TreeMap<>();
        for (String queue : node.queues()) {
            queues.put(
                    queue,
                    new QueuePoint(
                            node.queueGauge("duet.queue.depth", queue),
                            node.queueGauge("duet.queue.oldest.age", queue),
                            node.growth("duet.queue.jobs.processed", queue),
                            node.growth("duet.queue.jobs.failed", queue),
                            node.growth("duet.queue.jobs.dead", queue)));
        }
        Funnel funnel = new Funnel(
                node.growth("duet.funnel.signups.accepted", null),
                node.growth("duet.funnel.emails.queued", null),
                node.growth("duet.funnel.emails.sent", null),
                node.growth("duet.funnel.accounts.verified", null));
        double[] signupToSent = percentiles(
                "duet.funnel.signup.to.sent",
                meters.find("duet.funnel.signup.to.sent").timers());
        double[] http = percentiles(
                "http.server.requests", meters.find("http.server.requests").timers());
        double requests = 0;
        double errors = 0;
        for (Timer timer : meters.find("http.server.requests").timers()) {
            String status = timer.getId().getTag("status");
            double count = node.growth("http:" + timer.getId().getTags(), timer.count());
            requests += count;
            if (status != null && status.startsWith("5")) {
                errors += count;
            }
        }
        samples.addLast(new Sample(
                Instant.now().getEpochSecond(),
                queues,
                funnel,
                signupToSent[0],
                signupToSent[1],
                node.gauges("duet.realtime.connections"),
                node.gauges("duet.realtime.poll.sessions"),
                requests / INTERVAL_SECONDS,
                http[1],
                requests == 0 ? 0 : errors / requests,
                node.gauges("hikaricp.connections.pending"),
                maxOf("hikaricp.connections.acquire"),
                node.gauges("duet.outbox.backlog"),
                node.gauges("duet.outbox.oldest.age")));
        while (samples.size() > KEPT) {
            samples.removeFirst();
        }
    }

    synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    private double maxOf(String timerName) {
        return meters.find(timerName).timers().stream()
                .mapToDouble(t -> t.max(java.util.concurrent.TimeUnit.SECONDS))
                .max()
                .orElse(0);
    }

    /** p50 and p99 of what the timers recorded since the last sample, from their histogram buckets. */
    private double[] percentiles(String key, java.util.Collection<Timer> timers) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (Timer timer : timers) {
            for (CountAtBucket bucket : timer.takeSnapshot().histogramCounts()) {
                buckets.merge(bucket.bucket(java.util.concurrent.TimeUnit.SECONDS), bucket.count(), Double::sum);
            }
        }
        double[] bounds =
                buckets.keySet().stream().mapToDouble(Double::doubleValue).toArray();
        double[] cumulative =
                buckets.values().stream().mapToDouble(Double::doubleValue).toArray();
        double[] before = lastBuckets.put(key, cumulative);
        if (before == null || before.length != cumulative.length || cumulative.length == 0) {
            return new double[] {0, 0};
        }
        double[] recent = new double[cumulative.length];
        for (int i = 0; i < recent.length; i++) {
            recent[i] = Math.max(0, cumulative[i] - before[i]);
        }
        return new double[] {quantile(bounds, recent, 0.5), quantile(bounds, recent, 0.99)};
    }

    /** The upper bound of the bucket holding the q-quantile of cumulative bucket counts (0 when empty). */
    static double quantile(double[] bounds, double[] cumulative, double q) {
        double total = cumulative[cumulative.length - 1];
        if (total <= 0) {
            return 0;
        }
        double rank = q * total;
        for (int i = 0; i < bounds.length; i++) {
            if (cumulative[i] >= rank) {
                return bounds[i];
            }
        }
        return bounds[bounds.length - 1];
    }

    @Serdeable
    record QueuePoint(double depth, double oldestAgeSeconds, double processed, double failed, double dead) {}

    @Serdeable
    record Funnel(double accepted, double emailsQueued, double emailsSent, double verified) {}

    /** One sample; counters are what happened in the {@value #INTERVAL_SECONDS} s before {@code t}. */
    @Serdeable
    record Sample(
            long t,
            Map<String, QueuePoint> queues,
            Funnel funnel,
            double signupToSentP50,
            double signupToSentP99,
            double webSockets,
            double pollSessions,
            double requestsPerSecond,
            double httpP99,
            double http5xxRatio,
            double poolWaiting,
            double poolAcquireMaxSeconds,
            double outboxBacklog,
            double outboxOldestAgeSeconds) {}
}
