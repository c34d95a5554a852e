package io.duet.api.web;

import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;

/**
 * Fixed-window counters in Redis, one round trip per check, however many limits it checks (a Lua script
 * through Redisson): simple, shared by every node, and self-cleaning (each window key expires with its
 * window).
 */
@Singleton
public class RateLimiter {
    /**
     * KEYS in order, ARGV the window (ms) and limit of each. Counts a hit on each and stops at the first limit the
     * hit goes over, so the later ones are not counted, as if they had been checked one after another. Returns
     * the position of that limit (0 when none was exceeded) and the count and time left (ms) of the last key
     * counted.
     */
    private static final String HIT = """
            local count, ttl
            for i, key in ipairs(KEYS) do
              local window = ARGV[2 * i - 1]
              count = redis.call('INCR', key)
              if count == 1 then redis.call('PEXPIRE', key, window) end
              ttl = redis.call('PTTL', key)
              if ttl < 0 then redis.call('PEXPIRE', key, window); ttl = tonumber(window) end
              if count > tonumber(ARGV[2 * i]) then return {i, count, ttl} end
            end
            return {0, count, ttl}""";
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
        hitAll(List.of(new Limit(key, limit, window)));
    }

    /**
     * Counts one hit on each limit in order, in one round trip.
     *
     * @throws TooManyRequestsException at the first limit this hit is over (the limits after it are not counted)
     */
    public void hitAll(List<Limit> limits) {
        List<Long> result = eval(limits);
        if (result.get(0) > 0) {
            throw new TooManyRequestsException(Duration.ofMillis(Math.max(0, result.get(2))));
        }
    }

    /** Counts one hit and returns the count in the current window and the time left in it. */
    public Hit count(String key, Duration window) {
        List<Long> result = eval(List.of(new Limit(key, Integer.MAX_VALUE, window)));
        return new Hit(result.get(1), Duration.ofMillis(Math.max(0, result.get(2))));
    }

    private List<Long> eval(List<Limit> limits) {
        List<Object> keys = new ArrayList<>(limits.size());
        Object[] args = new Object[2 * limits.size()];
        for (int i = 0; i < limits.size(); i++) {
            Limit limit = limits.get(i);
            keys.add(PREFIX + limit.key());
            args[2 * i] = Long.toString(limit.window().toMillis());
            args[2 * i + 1] = Integer.toString(limit.limit());
        }
        return redis.getScript().eval(RScript.Mode.READ_WRITE, HIT, RScript.ReturnType.LIST, keys, args);
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

    /** At most {@code limit} hits on {@code key} per {@code window}. */
    public record Limit(String key, int limit, Duration window) {}
}
