package io.duet.api.web;

import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;

/**
 * Fixed-window counters in Redis, one round trip per check (a Lua script through Redisson): simple,
 * shared by every node, and self-cleaning (each window key expires with its window).
 */
@Singleton
public class RateLimiter {
    private static final String HIT = """
            local count = redis.call('INCR', KEYS[1])
            if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
            return {count, ttl}""";
    private static final String PREFIX = "duet:rl:";

    private final RedissonClient redis;

    RateLimiter(RedissonClient redis) {
        this.redis = redis;
    }

    /**
     * Counts one hit on {@code key} within {@code window}.
     *
     * @throws TooManyRequestsException when this hit is over {@code limit}
     */
    public void hit(String key, int limit, Duration window) {
        Hit hit = count(key, window);
        if (hit.count() > limit) {
            throw new TooManyRequestsException(hit.remaining());
        }
    }

    /** Counts one hit and returns the count in the current window and the time left in it. */
    public Hit count(String key, Duration window) {
        List<Long> result = redis.getScript().eval(RScript.Mode.READ_WRITE, HIT, RScript.ReturnType.LIST,
                List.of(PREFIX + key), Long.toString(window.toMillis()));
        return new Hit(result.get(0), Duration.ofMillis(Math.max(0, result.get(1))));
    }

    /** The count of a window without adding to it (0 when the window is over). */
    public long peek(String key) {
        String value = redis.<String>getBucket(PREFIX + key).get();
        return value == null ? 0 : Long.parseLong(value);
    }

    public void clear(String key) {
        redis.getBucket(PREFIX + key).delete();
    }

    public record Hit(long count, Duration remaining) {}
}
