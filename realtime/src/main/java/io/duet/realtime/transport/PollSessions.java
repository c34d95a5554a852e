package io.duet.realtime.transport;

import io.duet.api.events.UserEvents;
import io.duet.api.redis.LuaScripts;
import io.duet.realtime.RealtimeConfig;
import io.duet.realtime.session.Session;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;

/**
 * Long-polling sessions, kept in Redis so that any node serves any poll (a load balancer that ignores
 * affinity costs a little latency, never a "session unknown"). A sid is {@code <nodeId>.<128 random
 * bits>}: the node part is the affinity hint, the random part makes it unguessable. The session holds its
 * user (a sid presented with another user's token is as unknown as a made-up one) and the partner, and
 * expires when nobody polls it for {@link RealtimeConfig#sessionIdle()} plus a poll's hold.
 *
 * <p>The session key sits under the user's hash tag, next to the user's log, so that a poll is one
 * script and one round trip: check and extend the session, register this node for the user's fan-out,
 * read the log after the client's position.
 */
@Singleton
public class PollSessions {
    /** A node id, a dot, 16 random bytes in unpadded URL-safe base64; compiled once, it is checked on every poll. */
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9-]+\\.[A-Za-z0-9_-]{22}");
    /**
     * KEYS: session, seq, log, nodes. ARGV: session ttl ms, node id, registration ttl ms, after (-1: from
     * now), limit. Returns {0} without a session, else {1, session value, last seq, gap (0/1), events...}.
     */
    private static final String POLL =
            LuaScripts.load(UserEvents.class, "read-log") + LuaScripts.load(PollSessions.class, "poll-sessions-poll");

    private final SecureRandom random = new SecureRandom();
    private final RedissonClient redis;
    private final RealtimeConfig config;

    PollSessions(RedissonClient redis, RealtimeConfig config) {
        this.redis = redis;
        this.config = config;
    }

    record Session(String sid, UUID user) {}

    /**
     * What a poll found: the session (empty when unknown or another user's), the user's latest seq and
     * the events after the client's position, or {@code gap} when the log no longer holds them.
     */
    record Poll(Optional<Session> session, long lastSeq, boolean gap, List<String> events) {}

    Session create(String nodeId, UUID user) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String sid = nodeId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        // "<user>," : the part after the comma once held the partner, fixed at creation (see Partners).
        redis.getBucket(key(user, sid)).set(user + ",", ttl());
        return new Session(sid, user);
    }

    /** The session if it exists and belongs to {@code user}; extends its life. */
    Optional<Session> touch(String sid, UUID user) {
        if (!wellFormed(sid)) {
            return Optional.empty();
        }
        return parse(sid, user, (String) redis.getBucket(key(user, sid)).getAndExpire(ttl()));
    }

    /**
     * One round trip for a poll: {@link #touch}, register {@code nodeId} for the user's fan-out, and read up
     * to {@code limit} events after {@code after} (null: from now, nothing read).
     */
    Poll poll(String sid, UUID user, String nodeId, Long after, int limit) {
        if (!wellFormed(sid)) {
            return new Poll(Optional.empty(), 0, false, List.of());
        }
        String ttlMs = Long.toString(ttl().toMillis());
        List<Object> result = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        POLL,
                        RScript.ReturnType.LIST,
                        List.of(
                                key(user, sid),
                                UserEvents.seqKey(user),
                                UserEvents.logKey(user),
                                UserEvents.nodesKey(user)),
                        ttlMs,
                        nodeId,
                        ttlMs,
                        Long.toString(after == null ? -1 : after),
                        Integer.toString(limit));
        if (((Number) result.get(0)).longValue() == 0) {
            return new Poll(Optional.empty(), 0, false, List.of());
        }
        Optional<Session> session = parse(sid, user, (String) result.get(1));
        long last = ((Number) result.get(2)).longValue();
        boolean gap = ((Number) result.get(3)).longValue() == 1;
        List<String> events = new ArrayList<>(Math.max(0, result.size() - 4));
        for (int i = 4; i < result.size(); i++) {
            events.add((String) result.get(i));
        }
        return new Poll(session, last, gap, events);
    }

    void delete(String sid, UUID user) {
        if (wellFormed(sid)) {
            redis.getBucket(key(user, sid)).delete();
        }
    }

    private static boolean wellFormed(String sid) {
        return sid != null && sid.length() <= 80 && SID.matcher(sid).matches();
    }

    private static Optional<Session> parse(String sid, UUID user, String value) {
        if (value == null) {
            return Optional.empty();
        }
        int comma = value.indexOf(',');
        UUID owner = UUID.fromString(value.substring(0, comma));
        if (!owner.equals(user)) {
            return Optional.empty();
        }
        return Optional.of(new Session(sid, owner));
    }

    /** Under the user's hash tag, beside the log (one script reaches both on a cluster too). */
    private static String key(UUID user, String sid) {
        return "duet:ev:{" + user + "}:lp:" + sid;
    }

    private Duration ttl() {
        return ttl(config);
    }

    /** How long an unpolled session (and the node's registration and presence for it) lives. */
    public static Duration ttl(RealtimeConfig config) {
        return config.sessionIdle().plus(config.pollHold());
    }
}
