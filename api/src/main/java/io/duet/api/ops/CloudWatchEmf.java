package io.duet.api.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.NotNull;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The signals AWS autoscaling and alarms read, as CloudWatch Embedded Metric Format lines on standard output
 * (Lambda and the ECS {@code awslogs} driver turn each line into metrics, no agent and no API call): per queue
 * {@code QueueOldestAge} (seconds), {@code QueueDepth} and {@code QueueDeadLetters} (dead-lettered since the last
 * line), and {@code RealtimeConnections} of this unit (WebSockets plus long-polling sessions), in namespace
 * {@value #NAMESPACE}. The infra's scaling policies and alarms use exactly these names and dimensions
 * ({@code ServicesStack}). Prometheus's {@code /metrics} stays as it is beside it.
 */
@Singleton
@Requires(property = "duet.metrics.emf.enabled", value = "true")
public final class CloudWatchEmf {
    static final String NAMESPACE = "Duet";

    private final MeterRegistry meters;
    private final EmfConfig config;
    private final PrintStream out;
    private final Clock clock;
    private final Map<String, Double> lastDead = new HashMap<>();

    CloudWatchEmf(MeterRegistry meters, EmfConfig config) {
        this(meters, config, System.out, Clock.systemUTC());
    }

    CloudWatchEmf(MeterRegistry meters, EmfConfig config, PrintStream out, Clock clock) {
        this.meters = meters;
        this.config = config;
        this.out = out;
        this.clock = clock;
    }

    @Scheduled(initialDelay = "10s", fixedRate = "${duet.metrics.emf.interval}")
    void publish() {
        for (String line : lines()) {
            out.println(line);
        }
        out.flush();
    }

    /** One EMF document per queue, and one for the unit's realtime connections when the gateway runs here. */
    synchronized List<String> lines() {
        long now = clock.millis();
        List<String> lines = new ArrayList<>();
        TreeSet<String> queues = new TreeSet<>();
        for (Meter meter : meters.find("duet.queue.depth").meters()) {
            String queue = meter.getId().getTag("queue");
            if (queue != null) {
                queues.add(queue);
            }
        }
        for (String queue : queues) {
            double dead = meters.find("duet.queue.jobs.dead").tag("queue", queue).counters().stream()
                    .mapToDouble(Counter::count)
                    .sum();
            Double before = lastDead.put(queue, dead);
            lines.add(document(
                    now,
                    "Queue",
                    queue,
                    new String[] {"QueueOldestAge", "Seconds", number(gauge("duet.queue.oldest.age", queue))},
                    new String[] {"QueueDepth", "Count", number(gauge("duet.queue.depth", queue))},
                    new String[] {"QueueDeadLetters", "Count", number(before == null ? 0 : Math.max(0, dead - before))
                    }));
        }
        Gauge sockets = meters.find("duet.realtime.connections").gauge();
        if (sockets != null) {
            Gauge polls = meters.find("duet.realtime.poll.sessions").gauge();
            double connections = finite(sockets.value()) + (polls == null ? 0 : finite(polls.value()));
            lines.add(document(
                    now, "Service", config.service(), new String[] {"RealtimeConnections", "Count", number(connections)
                    }));
        }
        return lines;
    }

    private double gauge(String name, String queue) {
        Gauge gauge = meters.find(name).tag("queue", queue).gauge();
        return gauge == null ? 0 : finite(gauge.value());
    }

    /** {@code metrics}: name, unit, value. Names and dimension values are Duet's own (no escaping needed). */
    private static String document(long timestamp, String dimension, String value, String[]... metrics) {
        StringBuilder definitions = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (String[] metric : metrics) {
            definitions
                    .append(definitions.isEmpty() ? "" : ",")
                    .append("{\"Name\":\"")
                    .append(metric[0])
                    .append("\",\"Unit\":\"")
                    .append(metric[1])
                    .append("\"}");
            values.append(",\"").append(metric[0]).append("\":").append(metric[2]);
        }
        return "{\"_aws\":{\"Timestamp\":" + timestamp + ",\"CloudWatchMetrics\":[{\"Namespace\":\"" + NAMESPACE
                + "\",\"Dimensions\":[[\"" + dimension + "\"]],\"Metrics\":[" + definitions + "]}]},\"" + dimension
                + "\":\"" + json(value) + "\"" + values + "}";
    }

    private static String json(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }

    /**
     * Settings of the CloudWatch metrics ({@code duet.metrics.emf.*}).
     *
     * @param enabled write the lines (the AWS deployment sets it; default false)
     * @param interval how often; CloudWatch's resolution for these is a minute (default 60 s)
     * @param service the {@code Service} dimension of {@code RealtimeConnections}: {@code gateway} on the gateway
     *     service (default {@code duet})
     */
    @ConfigurationProperties("duet.metrics.emf")
    record EmfConfig(
            boolean enabled,
            @NotNull Duration interval,
            @NotNull String service) {}
}
