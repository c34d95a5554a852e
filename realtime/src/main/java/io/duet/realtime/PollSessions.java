package io.duet.realtime;

import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;

/**
 * Long-polling sessions, kept in Redis so that any node serves any poll (a load balancer that ignores
 * affinity costs a little latency, never a "session unknown"). A sid is {@code <nodeId>.<128 random
 * bits>}: the node part is the affinity hint, the random part makes it unguessable. The session holds its
 * user (a sid presented with another user's token is as unknown as a made-up one) and the partner, and
 * expires when nobody polls it for {@link RealtimeConfig#sessionIdle()} plus a poll's hold.
 */
@Singleton
class PollSessions {
    private final SecureRandom random = new SecureRandom();
    private final RedissonClient redis;
    private final RealtimeConfig config;

    PollSessions(RedissonClient redis, RealtimeConfig config) {
        this.redis = redis;
        this.config = config;
    }

    record Session(String sid, UUID user, UUID partner) {}

    Session create(String nodeId, UUID user, UUID partner) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String sid = nodeId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        bucket(sid).set(user + "," + (partner == null ? "" : partner.toString()), ttl());
        return new Session(sid, user, partner);
    }

    /** The session if it exists and belongs to {@code user}; extends its life. */
    Optional<Session> touch(String sid, UUID user) {
        if (sid == null || sid.length() > 80 || !sid.matches("[A-Za-z0-9-]+\\.[A-Za-z0-9_-]{22}")) {
            return Optional.empty();
        }
        String value = bucket(sid).getAndExpire(ttl());
        if (value == null) {
            return Optional.empty();
        }
        int comma = value.indexOf(',');
        UUID owner = UUID.fromString(value.substring(0, comma));
        if (!owner.equals(user)) {
            return Optional.empty();
        }
        String partner = value.substring(comma + 1);
        return Optional.of(new Session(sid, owner, partner.isEmpty() ? null : UUID.fromString(partner)));
    }

    void delete(String sid) {
        bucket(sid).delete();
    }

    private RBucket<String> bucket(String sid) {
        return redis.getBucket("duet:rt:lp:{" + sid + "}");
    }

    private Duration ttl() {
        return config.sessionIdle().plus(config.pollHold());
    }
}
