package io.duet.realtime.session;

import io.duet.api.events.UserEvents;
import io.duet.api.redis.LuaScripts;
import io.duet.realtime.RealtimeConfig;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;

/**
 * Who is online, across nodes: per user, a sorted set of live connection ids (WebSocket connections and
 * long-polling sessions) scored by expiry, refreshed by the node holding each, so a crashed node's
 * connections lapse. A user goes online with the first entry and offline when the set stays empty for
 * {@link RealtimeConfig#presenceGrace()}; the transitions are decided in Redis (one node announces each)
 * and the partner gets a {@code presence} event through the log.
 */
@Singleton
public class Presence {
    private static final String JOIN = LuaScripts.load(Presence.class, "presence-join");

    private static final String LEAVE = LuaScripts.load(Presence.class, "presence-leave");

    private static final String SETTLE = LuaScripts.load(Presence.class, "presence-settle");

    private final RedissonClient redis;
    private final UserEvents events;
    private final RealtimeConfig config;

    Presence(RedissonClient redis, UserEvents events, RealtimeConfig config) {
        this.redis = redis;
        this.events = events;
        this.config = config;
    }

    static String connectionsKey(UUID user) {
        return "duet:rt:presence:{" + user + "}:conns";
    }

    static String stateKey(UUID user) {
        return "duet:rt:presence:{" + user + "}:state";
    }

    /** Adds a connection of the user; tells the partner when this made the user online. */
    public void join(UUID user, UUID partner, String connectionId, Duration ttl) {
        Long changed = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        JOIN,
                        RScript.ReturnType.LONG,
                        List.of(connectionsKey(user), stateKey(user)),
                        connectionId,
                        Long.toString(ttl.toMillis()),
                        Long.toString(Duration.ofDays(1).toMillis()));
        if (changed != null && changed == 1 && partner != null) {
            events.publish(partner, "presence", new PresenceEvent(user, true, now()));
        }
    }

    /** Removes a connection; true when the user has none left (then {@link #settle} after the grace). */
    public boolean leave(UUID user, String connectionId) {
        Long left = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        LEAVE,
                        RScript.ReturnType.LONG,
                        List.of(connectionsKey(user)),
                        connectionId);
        return left != null && left == 0;
    }

    /** After the grace: if the user still has no connection, marks them offline and tells the partner. */
    public void settle(UUID user, UUID partner) {
        Long changed = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        SETTLE,
                        RScript.ReturnType.LONG,
                        List.of(connectionsKey(user), stateKey(user)),
                        Long.toString(Duration.ofDays(1).toMillis()));
        if (changed != null && changed == 1 && partner != null) {
            events.publish(partner, "presence", new PresenceEvent(user, false, now()));
        }
    }

    /** Whether the user has a live connection anywhere. */
    public boolean online(UUID user) {
        return redis.getScoredSortedSet(connectionsKey(user))
                        .count(System.currentTimeMillis(), false, Double.MAX_VALUE, true)
                > 0;
    }

    /** Extends the expiry of many connections in one round trip. */
    public void refresh(Map<String, UUID> connectionUsers, Duration ttl) {
        if (connectionUsers.isEmpty()) {
            return;
        }
        RBatch batch = redis.createBatch(BatchOptions.defaults());
        double expiry = System.currentTimeMillis() + ttl.toMillis();
        connectionUsers.forEach((connection, user) -> {
            batch.getScoredSortedSet(connectionsKey(user)).addAsync(expiry, connection);
            batch.getScoredSortedSet(connectionsKey(user)).expireAsync(ttl);
        });
        batch.execute();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Serdeable
    record PresenceEvent(UUID userId, boolean online, Instant at) {}
}
