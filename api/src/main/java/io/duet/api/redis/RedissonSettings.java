package io.duet.api.redis;

import java.time.Duration;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * What every Redisson client of Duet shares: the server, its database and password, the timeouts, the
 * client name (so an operator can tell Duet's connections apart in {@code CLIENT LIST}) and plain string
 * values. The process's main client ({@link RedisFactory}) and the realtime node's fan-out subscription
 * start from it and add their own threads and pools.
 */
public final class RedissonSettings {
    private RedissonSettings() {}

    public static Config of(RedisConfig config) {
        Config redisson = new Config();
        redisson.setCodec(StringCodec.INSTANCE);
        if (config.password() != null) {
            redisson.setPassword(config.password());
        }
        redisson.useSingleServer()
                .setAddress(config.address())
                .setDatabase(config.database())
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setTimeout((int) config.commandTimeout().toMillis())
                .setRetryAttempts(1)
                // Redisson ticks its timer at a step derived from the smaller of this delay and the timeout: its
                // default, a jittered delay, made that step 10-49 ms (up to 100 wake-ups a second per client, idle
                // or not); a whole second makes it 100 ms. The one retry of a command needs no jitter.
                .setRetryDelay(new ConstantDelay(Duration.ofSeconds(1)))
                .setClientName(config.clientName());
        return redisson;
    }
}
