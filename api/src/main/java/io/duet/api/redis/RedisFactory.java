package io.duet.api.redis;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The one Redisson client of the process. Lazy initialization lets the API start while Redis is away
 * (signups keep landing in the outbox); commands fail fast with the configured timeout meanwhile, and
 * Redisson reconnects on its own when Redis returns. Values are plain strings (JSON where structured):
 * no Java serialization, and the default Kryo codec warns on JDK 25.
 *
 * <p>Beans get a facade ({@link ReconnectableRedis}) whose client can be replaced: a Lambda SnapStart hook
 * closes the connections before a snapshot, because one snapshot is restored into many environments.
 */
@Factory
final class RedisFactory {

    @Singleton
    @Bean(preDestroy = "disconnect")
    ReconnectableRedis reconnectableRedis(RedisConfig config) {
        return new ReconnectableRedis(() -> create(config));
    }

    @Singleton
    RedissonClient redisson(ReconnectableRedis redis) {
        return redis.facade();
    }

    static RedissonClient create(RedisConfig config) {
        Config redisson = RedissonSettings.of(config);
        redisson.setLazyInitialization(true);
        // EVALSHA instead of sending each queue script's source with every call.
        redisson.setUseScriptCache(true);
        // Redisson's default of 32 event-loop threads only adds context switches on small nodes.
        int cores = Runtime.getRuntime().availableProcessors();
        redisson.setNettyThreads(Math.max(2, 2 * cores));
        redisson.setThreads(Math.max(2, cores));
        redisson.useSingleServer().setConnectionMinimumIdleSize(4).setConnectionPoolSize(64);
        return Redisson.create(redisson);
    }
}
