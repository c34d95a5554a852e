package io.duet.api.ops;

import io.duet.api.NodeNames;
import io.duet.api.queue.QueueConfig;
import io.duet.api.web.HttpConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is running in this region now, as the nodes say it: every node writes a short line about itself (its
 * roles, the queues it works, its realtime connections, the verification mails it sent in the last minute) to
 * the Redis hash {@value #KEY} every {@code duet.ops.fleet.interval}, and drops the lines of nodes that went
 * quiet. The ops page's promotion panel puts this beside what the capacity model says the region needs. Lambda
 * functions do not write (they are many, short-lived, and their scaling is Lambda's); the infra's schedule says
 * what they run.
 */
@Singleton
@Requires(property = "duet.ops.fleet.enabled", value = "true")
public final class Fleet {
    static final String KEY = "duet:fleet";
    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

    private final String id = NodeNames.fresh();
    private final RedissonClient redis;
    private final NodeMeters node;
    private final ObjectMapper json;
    private final FleetConfig config;
    private final boolean workers;
    private final List<String> served;
    private final Clock clock;
    private final double[] mailsSent = new double[12];
    private int slot;

    Fleet(
            RedissonClient redis,
            MeterRegistry meters,
            ObjectMapper json,
            FleetConfig config,
            QueueConfig queues,
            HttpConfig http) {
        this.redis = redis;
        this.node = new NodeMeters(meters);
        this.json = json;
        this.config = config;
        this.clock = Clock.systemUTC();
        this.workers = queues.workersEnabled();
        this.served = http.servedPaths();
    }

    /** Writes this node's line and removes the lines of nodes that have not written for three intervals. */
    @Scheduled(initialDelay = "2s", fixedRate = "${duet.ops.fleet.interval}")
    void report() {
        try {
            long now = clock.millis();
            redis.getMap(KEY, StringCodec.INSTANCE).fastPut(id, json.writeValueAsString(self(now)));
            long stale = now - 3 * config.interval().toMillis();
            for (Map.Entry<String, String> line : redis.<String, String>getMap(KEY, StringCodec.INSTANCE)
                    .readAllMap()
                    .entrySet()) {
                Member member = read(line.getValue());
                if (member == null || member.at() < stale) {
                    redis.getMap(KEY, StringCodec.INSTANCE).fastRemove(line.getKey());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Redis away: the panel shows an older picture until it is back; nothing else depends on this.
            LOG.atDebug().setCause(e).log("fleet line not written");
        }
    }

    /** This node's line now; the mails sent are those of the last twelve intervals (a minute at 5 s). */
    synchronized Member self(long now) {
        double sent = node.queues().contains("email") ? node.growth("duet.queue.jobs.processed", "email") : 0;
        mailsSent[slot] = sent;
        slot = (slot + 1) % mailsSent.length;
        double window = 0;
        for (double s : mailsSent) {
            window += s;
        }
        double perMinute =
                window * 60_000.0 / (mailsSent.length * config.interval().toMillis());
        double connections = node.gauges("duet.realtime.connections") + node.gauges("duet.realtime.poll.sessions");
        return new Member(id, now, roles(), List.copyOf(node.queues()), (long) connections, Math.round(perMinute));
    }

    /** What this node does: serves the API, works queues, holds realtime connections (its gateway is running). */
    private List<String> roles() {
        List<String> roles = new ArrayList<>();
        if (served.isEmpty()
                || served.stream().anyMatch(path -> path.startsWith("/v1") && !path.equals("/v1/realtime"))) {
            roles.add("api");
        }
        if (workers && !node.queues().isEmpty()) {
            roles.add("worker");
        }
        if (node.registry().find("duet.realtime.connections").gauge() != null) {
            roles.add("gateway");
        }
        return roles;
    }

    String id() {
        return id;
    }

    /** The lines of the nodes that wrote within three intervals, by node id. */
    List<Member> members() {
        long stale = clock.millis() - 3 * config.interval().toMillis();
        return redis.<String, String>getMap(KEY, StringCodec.INSTANCE).readAllMap().values().stream()
                .map(this::read)
                .filter(m -> m != null && m.at() >= stale)
                .sorted(java.util.Comparator.comparing(Member::id))
                .toList();
    }

    private Member read(String line) {
        try {
            return json.readValue(line, Member.class);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * One node's line.
     *
     * @param at when it wrote it (epoch milliseconds)
     * @param roles what it does: {@code api}, {@code worker}, {@code gateway}
     * @param queues the queues whose workers run on it
     * @param connections its realtime connections (WebSockets and long-polling sessions)
     * @param mailsPerMinute verification mails it sent over the last minute
     */
    @Serdeable
    record Member(
            @Schema(example = "ip-10-10-3-17-1-3f2a9c1d") String id,
            @Schema(example = "1796200000000") long at,
            List<String> roles,
            List<String> queues,
            @Schema(example = "8210") long connections,
            @Schema(example = "1450") long mailsPerMinute) {}

    /**
     * @param enabled whether this node writes its line (off in Lambda functions)
     * @param interval how often it writes; a node silent for three intervals is gone
     */
    @ConfigurationProperties("duet.ops.fleet")
    record FleetConfig(boolean enabled, @NotNull Duration interval) {}
}
