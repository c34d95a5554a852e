package io.duet.realtime.session;

import io.duet.api.redis.LuaScripts;
import io.duet.realtime.RealtimeConfig;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.UUID;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;

/**
 * Reconnect-storm control: a token bucket per account in Redis (so it holds across nodes), of
 * {@link RealtimeConfig#connectBurst()} connects refilled one per {@link RealtimeConfig#connectRefill()}.
 * A well-behaved client that waits the delay it was handed never runs out; a client in a tight retry
 * loop is refused with the time until its next token.
 */
@Singleton
public class ConnectBudget {
    private static final String TAKE = LuaScripts.load(ConnectBudget.class, "connect-budget-take");

    private final RedissonClient redis;
    private final RealtimeConfig config;

    ConnectBudget(RedissonClient redis, RealtimeConfig config) {
        this.redis = redis;
        this.config = config;
    }

    /**
     * The retry delay a refused client is given, on both transports: the wait plus up to half of it again
     * at random, so that clients refused together do not all come back in the same millisecond.
     */
    public static long jittered(long waitMs) {
        return waitMs + java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, waitMs / 2));
    }

    /** Takes one connect from the account's budget: 0 when allowed, else the milliseconds to wait. */
    public long take(UUID accountId) {
        Long wait = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        TAKE,
                        RScript.ReturnType.LONG,
                        List.of("duet:rt:budget:{" + accountId + "}"),
                        Integer.toString(config.connectBurst()),
                        Long.toString(config.connectRefill().toMillis()));
        return wait == null ? 0 : wait;
    }
}
