package io.duet.api.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reading this node's own meters for the ops views (the page's series, the CloudWatch lines): the queues it
 * has, a queue's gauge, and how much a counter grew since the last look.
 */
final class NodeMeters {
    private final MeterRegistry meters;
    private final Map<String, Double> lastCounts = new HashMap<>();

    NodeMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    MeterRegistry registry() {
        return meters;
    }

    /** The queues whose gauges this node publishes (those it works on), sorted. */
    TreeSet<String> queues() {
        TreeSet<String> queues = new TreeSet<>();
        for (Meter meter : meters.find("duet.queue.depth").meters()) {
            String queue = meter.getId().getTag("queue");
            if (queue != null) {
                queues.add(queue);
            }
        }
        return queues;
    }

    double queueGauge(String name, String queue) {
        Gauge gauge = meters.find(name).tag("queue", queue).gauge();
        return gauge == null ? 0 : finite(gauge.value());
    }

    /** The sum of every gauge of that name (0 when the node has none, e.g. no realtime gateway). */
    double gauges(String name) {
        return meters.find(name).gauges().stream()
                .mapToDouble(g -> finite(g.value()))
                .sum();
    }

    /** How much the counter (summed over its series, or the series of one queue) grew since the last call. */
    synchronized double growth(String name, String queue) {
        var search = meters.find(name);
        if (queue != null) {
            search = search.tag("queue", queue);
        }
        return growth(
                name + "/" + queue,
                search.counters().stream().mapToDouble(Counter::count).sum());
    }

    /** How much {@code total} grew since the last call with the same key (0 the first time). */
    synchronized double growth(String key, double total) {
        Double before = lastCounts.put(key, total);
        return before == null ? 0 : Math.max(0, total - before);
    }

    static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }
}
