package io.duet.api.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.serde.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    private final NodeMeters node;
    private final EmfConfig config;
    private final ObjectMapper json;
    private final PrintStream out;
    private final Clock clock;

    @Inject
    CloudWatchEmf(MeterRegistry meters, EmfConfig config, ObjectMapper json) {
        this(meters, config, json, System.out, Clock.systemUTC());
    }

    CloudWatchEmf(MeterRegistry meters, EmfConfig config, ObjectMapper json, PrintStream out, Clock clock) {
        this.node = new NodeMeters(meters);
        this.config = config;
        this.json = json;
        this.out = out;
        this.clock = clock;
    }

    @Scheduled(initialDelay = "10s", fixedRate = "${duet.metrics.emf.interval}")
    void publish() throws IOException {
        for (String line : lines()) {
            out.println(line);
        }
        out.flush();
    }

    /** One EMF document per queue, and one for the unit's realtime connections when the gateway runs here. */
    List<String> lines() throws IOException {
        long now = clock.millis();
        List<String> lines = new ArrayList<>();
        for (String queue : node.queues()) {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("QueueOldestAge", node.queueGauge("duet.queue.oldest.age", queue));
            values.put("QueueDepth", node.queueGauge("duet.queue.depth", queue));
            values.put("QueueDeadLetters", node.growth("duet.queue.jobs.dead", queue));
            lines.add(document(now, "Queue", queue, values, Map.of("QueueOldestAge", "Seconds")));
        }
        if (node.registry().find("duet.realtime.connections").gauge() != null) {
            double connections = node.gauges("duet.realtime.connections") + node.gauges("duet.realtime.poll.sessions");
            lines.add(document(now, "Service", config.service(), Map.of("RealtimeConnections", connections), Map.of()));
        }
        return lines;
    }

    /** An EMF document: the metric values beside their one dimension, described under {@code _aws}. */
    private String document(
            long timestamp, String dimension, String value, Map<String, Object> metrics, Map<String, String> units)
            throws IOException {
        List<Map<String, String>> definitions = new ArrayList<>();
        metrics.keySet()
                .forEach(name -> definitions.add(Map.of("Name", name, "Unit", units.getOrDefault(name, "Count"))));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put(
                "_aws",
                Map.of(
                        "Timestamp",
                        timestamp,
                        "CloudWatchMetrics",
                        List.of(Map.of(
                                "Namespace", NAMESPACE,
                                "Dimensions", List.of(List.of(dimension)),
                                "Metrics", definitions))));
        document.put(dimension, value);
        document.putAll(metrics);
        return json.writeValueAsString(document);
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
