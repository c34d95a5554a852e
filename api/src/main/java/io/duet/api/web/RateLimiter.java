package io.duet.api.web;

import io.duet.api.redis.LuaScripts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fixed-window counters in Redis, one round trip per check, however many limits it checks (a Lua script
 * through Redisson): simple, shared by every node, and self-cleaning (each window key expires with its
 * window).
 *
 * <p>When Redis does not answer, the limits fall back to this node's own counters ({@link NodeWindows})
 * instead of failing the request: a signup or sign-in must never answer 500 because Redis is away. Each
 * node then allows the full limit on its own (N nodes: up to N times the limit), which is the honest price
 * of staying up; {@code duet.ratelimit.fallback} counts the checks made so, and a WARN line says when it
 * starts and an INFO line when Redis is back. While falling back, Redis is asked again at most every
 * {@link #PROBE_EVERY}, so requests do not each wait for Redisson's timeouts.
 */
@Singleton
public class RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
    /** How often Redis is tried again while the limits run on this node's counters. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(2);
    /**
     * KEYS in order, ARGV the window (ms) and limit of each. Counts a hit on each and stops at the first limit the
     * hit goes over, so the later ones are not counted, as if they had been checked one after another. Returns
     * the position of that limit (0 when none was exceeded) and the count and time left (ms) of the last key
     * counted.
     */
    private static final String HIT = LuaScripts.load(RateLimiter.class, "rate-limiter-hit");

    private static final String PREFIX = "duet:rl:";

    private final RedissonClient redis;
    private final NodeWindows local = new NodeWindows();
    private final Counter fallbacks;
    /** While Redis is away: when to try it again (nanoTime); 0 when Redis answers. */
    private final AtomicLong retryRedisAt = new AtomicLong();

    RateLimiter(RedissonClient redis, MeterRegistry meters) {
        this.redis = redis;
        this.fallbacks = Counter.builder("duet.ratelimit.fallback")
                .description("Rate-limit checks counted on this node's own counters because Redis did not answer")
                .register(meters);
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
        if (!redisWorthTrying()) {
            return local.hitAll(limits);
        }
        try {
            List<Long> result =
                    redis.getScript().eval(RScript.Mode.READ_WRITE, HIT, RScript.ReturnType.LIST, keys, args);
            redisAnswered();
            return result;
        } catch (RedisException e) {
            redisFailed(e);
            return local.hitAll(limits);
        }
    }

    /** The count of a window without adding to it (0 when the window is over). */
    public long peek(String key) {
        if (redisWorthTrying()) {
            try {
                String value = redis.<String>getBucket(PREFIX + key).get();
                redisAnswered();
                return value == null ? 0 : Long.parseLong(value);
            } catch (RedisException e) {
                redisFailed(e);
            }
        }
        return local.peek(key);
    }

    public void clear(String key) {
        local.clear(key);
        if (redisWorthTrying()) {
            try {
                redis.getBucket(PREFIX + key).delete();
                redisAnswered();
            } catch (RedisException e) {
                redisFailed(e);
            }
        }
    }

    private boolean redisWorthTrying() {
        long retryAt = retryRedisAt.get();
        return retryAt == 0 || System.nanoTime() - retryAt >= 0;
    }

    private void redisAnswered() {
        if (retryRedisAt.getAndSet(0) != 0) {
            LOG.info("rate limits back on Redis");
        }
    }

    private void redisFailed(RedisException e) {
        fallbacks.increment();
        long next = System.nanoTime() + PROBE_EVERY.toNanos();
        if (retryRedisAt.getAndSet(next == 0 ? 1 : next) == 0) {
            LOG.atWarn()
                    .addKeyValue("cause", e.getClass().getSimpleName())
                    .log("Redis does not answer: rate limits fall back to this node's own counters");
        }
    }

    public record Hit(long count, Duration remaining) {}

    /**
     * This node's own fixed windows, for when Redis is away: the same semantics as the Lua script (count a
     * hit on each limit in order, stop at the first one exceeded). Windows that ended are dropped when the
     * map grows, so an outage does not keep every client address of the day in memory.
     */
    static final class NodeWindows {
        private static final int PURGE_ABOVE = 100_000;
        private final Map<String, long[]> windows = new ConcurrentHashMap<>();

        synchronized List<Long> hitAll(List<Limit> limits) {
            long now = System.nanoTime();
            if (windows.size() > PURGE_ABOVE) {
                windows.values().removeIf(window -> window[0] <= now);
            }
            long count = 0;
            long left = 0;
            for (int i = 0; i < limits.size(); i++) {
                Limit limit = limits.get(i);
                long[] window = windows.compute(
                        limit.key(),
                        (key, current) -> current == null || current[0] <= now
                                ? new long[] {now + limit.window().toNanos(), 0}
                                : current);
                count = ++window[1];
                left = Math.max(0, (window[0] - now) / 1_000_000);
                if (count > limit.limit()) {
                    return List.of((long) i + 1, count, left);
                }
            }
            return List.of(0L, count, left);
        }

        long peek(String key) {
            long[] window = windows.get(key);
            return window == null || window[0] <= System.nanoTime() ? 0 : window[1];
        }

        void clear(String key) {
            windows.remove(key);
        }
    }

    /** At most {@code limit} hits on {@code key} per {@code window}. */
    public record Limit(String key, int limit, Duration window) {}
}
