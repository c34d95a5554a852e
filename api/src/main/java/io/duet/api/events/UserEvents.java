package io.duet.api.events;

import io.duet.api.redis.LuaScripts;
import io.duet.api.redis.RegionalRedis;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.support.TransactionSynchronization;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user event log: every event to a user gets the next {@code seq} of that user and is kept in a
 * Redis stream (bounded, see {@link EventLogConfig}) from which the realtime gateway serves live
 * delivery and resumes. An event is stored as the exact JSON the client receives,
 * {@code {"seq":N,"type":"...","data":{...}}}.
 *
 * <p>Appending also fans the event out: the script publishes it on the channel of every gateway node
 * that has registered a connection of the user (a sorted set of node ids scored by the registration's
 * expiry, so a crashed node's entries lapse on their own).
 *
 * <p>The log is a fast path, not the record: what an event announces (a message, a read marker, the
 * couple) is durable in PostgreSQL first, and a client that finds a gap ({@code reset}) catches up from
 * the API. So a failed append is counted and logged, never turned into a failed request.
 */
@Singleton
public class UserEvents {
    /** The user's seq counter; kept without expiry so that seq never goes backwards. */
    public static String seqKey(UUID user) {
        return "duet:ev:{" + user + "}:seq";
    }

    /** The user's log: a stream whose entry ids are {@code <seq>-0}. */
    public static String logKey(UUID user) {
        return "duet:ev:{" + user + "}:log";
    }

    /** The gateway nodes holding a connection of the user: node id → registration expiry (epoch ms). */
    public static String nodesKey(UUID user) {
        return "duet:ev:{" + user + "}:nodes";
    }

    /** The pub/sub channel of a gateway node; messages are {@code <user uuid> <event json>}. */
    public static String nodeChannel(String nodeId) {
        return NODE_CHANNEL_PREFIX + nodeId;
    }

    private static final String NODE_CHANNEL_PREFIX = "duet:rt:node:";

    private static final String APPEND = LuaScripts.load(UserEvents.class, "user-events-append");

    /** The catch-up read: {@code read-log.lua}'s function, which the gateway's poll script shares. */
    private static final String READ =
            LuaScripts.load(UserEvents.class, "read-log") + LuaScripts.load(UserEvents.class, "user-events-read");

    private static final String SIGNAL = LuaScripts.load(UserEvents.class, "user-events-signal");

    private static final String REGISTER = LuaScripts.load(UserEvents.class, "user-events-register");

    private static final Logger LOG = LoggerFactory.getLogger(UserEvents.class);
    private static final java.util.regex.Pattern EVENT_TYPE = java.util.regex.Pattern.compile("[a-z]+(\\.[a-z]+)*");

    private final RedissonClient redis;
    private final RegionalRedis regions;
    private final ObjectMapper json;
    private final EventLogConfig config;
    private final TransactionOperations<Connection> transactions;
    private final Counter appended;
    private final Counter failed;

    UserEvents(
            RedissonClient redis,
            RegionalRedis regions,
            ObjectMapper json,
            EventLogConfig config,
            TransactionOperations<Connection> transactions,
            MeterRegistry meters) {
        this.redis = redis;
        this.regions = regions;
        this.json = json;
        this.config = config;
        this.transactions = transactions;
        this.appended = Counter.builder("duet.events.appended")
                .description("Events appended to user logs")
                .register(meters);
        this.failed = Counter.builder("duet.events.failed")
                .description("Events that could not be appended (Redis away); clients catch up from the API")
                .register(meters);
    }

    /** Appends one event to the log of {@code user}; see {@link #publish(Collection, String, Object)}. */
    public void publish(UUID user, String type, Object data) {
        publish(List.of(user), type, data);
    }

    /**
     * Appends the event to the logs of a couple's members in the Redis of the couple's home region, wherever this
     * call is served: their clients hold that region's gateway ({@link RegionalRedis}).
     */
    public void publish(String homeRegion, Collection<UUID> users, String type, Object data) {
        publish(regions.of(homeRegion), users, type, data);
    }

    /**
     * Appends the event to the log of each user (one round trip for all of them). Inside a transaction
     * the append waits for the commit, so that no event announces data that was rolled back; outside
     * one it happens now.
     */
    public void publish(Collection<UUID> users, String type, Object data) {
        publish(redis, users, type, data);
    }

    private void publish(RedissonClient target, Collection<UUID> users, String type, Object data) {
        String payload = payload(type, data);
        List<UUID> recipients = List.copyOf(users);
        var transaction = transactions.findTransactionStatus().filter(status -> !status.isCompleted());
        if (transaction.isPresent()) {
            transaction.get().registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    append(target, recipients, type, payload);
                }
            });
        } else {
            append(target, recipients, type, payload);
        }
    }

    private void append(RedissonClient target, List<UUID> users, String type, String payload) {
        try {
            RBatch batch = target.createBatch(BatchOptions.defaults());
            for (UUID user : users) {
                batch.getScript()
                        .evalAsync(
                                RScript.Mode.READ_WRITE,
                                APPEND,
                                RScript.ReturnType.LONG,
                                List.of(seqKey(user), logKey(user), nodesKey(user)),
                                type,
                                payload,
                                Integer.toString(config.maxEvents()),
                                Long.toString(config.idleTtl().toMillis()),
                                NODE_CHANNEL_PREFIX,
                                user.toString());
            }
            batch.execute();
            appended.increment(users.size());
        } catch (RuntimeException e) {
            failed.increment(users.size());
            LOG.atWarn()
                    .addKeyValue("eventType", type)
                    .addKeyValue("error", e.toString())
                    .log("event not appended to the realtime log; clients will catch up from the API");
        }
    }

    /**
     * Sends an ephemeral event (typing) to the gateway nodes that hold connections of {@code user}, now,
     * without storing it: it gets {@code "seq":0}, is never resumed, and a user with no live connection
     * never sees it. Returns the number of nodes it went to.
     */
    public long signal(UUID user, String type, Object data) {
        String payload = payload(type, data);
        Long nodes = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        SIGNAL,
                        RScript.ReturnType.LONG,
                        List.of(nodesKey(user)),
                        type,
                        payload,
                        NODE_CHANNEL_PREFIX,
                        user.toString());
        return nodes == null ? 0 : nodes;
    }

    /** The event's data as JSON, once its type is checked. */
    private String payload(String type, Object data) {
        if (!EVENT_TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("event types are lower-case words joined by dots");
        }
        try {
            return json.writeValueAsString(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The latest seq of {@code user} (0 when nothing was ever sent to them). */
    public long lastSeq(UUID user) {
        String value = (String) redis.getBucket(seqKey(user)).get();
        return value == null ? 0 : Long.parseLong(value);
    }

    /**
     * The events of {@code user} after {@code afterSeq}, oldest first, at most {@code limit}.
     * {@link Page#gap()} is true when the log no longer holds the event right after {@code afterSeq}
     * (trimmed, expired, or a seq the log never reached): the client must be sent {@code reset}.
     */
    public Page read(UUID user, long afterSeq, int limit) {
        List<Object> result = redis.getScript()
                .eval(
                        RScript.Mode.READ_ONLY,
                        READ,
                        RScript.ReturnType.LIST,
                        List.of(seqKey(user), logKey(user)),
                        Long.toString(Math.max(0, afterSeq)),
                        Integer.toString(limit));
        long last = ((Number) result.get(0)).longValue();
        boolean gap = ((Number) result.get(1)).longValue() == 1;
        List<String> events = new ArrayList<>(result.size() - 2);
        for (int i = 2; i < result.size(); i++) {
            events.add((String) result.get(i));
        }
        return new Page(events, last, gap);
    }

    /** Registers (or refreshes) that gateway {@code nodeId} holds a connection of {@code user} until now + ttl. */
    public void registerNode(UUID user, String nodeId, Duration ttl) {
        // Redis's clock, like the append script's: gateway nodes' clocks may differ.
        redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        REGISTER,
                        RScript.ReturnType.LONG,
                        List.of(nodesKey(user)),
                        nodeId,
                        Long.toString(ttl.toMillis()));
    }

    /** {@link #registerNode} for many users in one round trip (a node's periodic refresh). */
    public void registerNodes(Collection<UUID> users, String nodeId, Duration ttl) {
        if (users.isEmpty()) {
            return;
        }
        RBatch batch = redis.createBatch(BatchOptions.defaults());
        for (UUID user : users) {
            batch.getScript()
                    .evalAsync(
                            RScript.Mode.READ_WRITE,
                            REGISTER,
                            RScript.ReturnType.LONG,
                            List.of(nodesKey(user)),
                            nodeId,
                            Long.toString(ttl.toMillis()));
        }
        batch.execute();
    }

    /**
     * Removes everything Redis holds for {@code user}: the log (with the texts of the messages they sent
     * and received), its seq counter and the node registrations. For the purge of a deleted account;
     * the three keys share one hash slot, so this is one command. A client still holding an old cursor
     * gets {@code reset}.
     */
    public void purge(UUID user) {
        for (RedissonClient region : regions.all()) {
            region.getKeys().delete(logKey(user), seqKey(user), nodesKey(user));
        }
    }

    /** Removes the registration of {@code nodeId} for {@code user} (its last connection closed). */
    public void unregisterNode(UUID user, String nodeId) {
        redis.getScoredSortedSet(nodesKey(user)).remove(nodeId);
    }

    /**
     * A slice of a user's log.
     *
     * @param events the events as the JSON the client receives, oldest first
     * @param lastSeq the user's latest seq
     * @param gap the requested position is no longer (or never was) in the log
     */
    public record Page(List<String> events, long lastSeq, boolean gap) {}
}
