package io.duet.api.redis;

import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

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
                .setClientName(config.clientName());
        return redisson;
    }
}
