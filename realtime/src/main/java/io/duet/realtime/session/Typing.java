package io.duet.realtime.session;

import io.duet.api.events.UserEvents;
import io.duet.realtime.RealtimeConfig;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.util.UUID;
import org.redisson.api.RedissonClient;

/**
 * "Partner is typing": ephemeral, never stored. At most one per user per
 * {@link RealtimeConfig#typingInterval()} (across nodes, by a Redis key that expires); it reaches the
 * partner's live connections through the fan-out only, so a partner who is offline never sees it.
 */
@Singleton
class Typing {
    private final RedissonClient redis;
    private final UserEvents events;
    private final RealtimeConfig config;

    Typing(RedissonClient redis, UserEvents events, RealtimeConfig config) {
        this.redis = redis;
        this.events = events;
        this.config = config;
    }

    /** Blocking (Redis). Returns whether it was sent (false: rate-limited or no partner). */
    boolean send(UUID user, UUID partner) {
        if (partner == null) {
            return false;
        }
        boolean first = redis.getBucket("duet:rt:typing:{" + user + "}").setIfAbsent("1", config.typingInterval());
        if (!first) {
            return false;
        }
        events.signal(partner, "typing", new TypingEvent(user));
        return true;
    }

    @Serdeable
    record TypingEvent(UUID userId) {}
}
