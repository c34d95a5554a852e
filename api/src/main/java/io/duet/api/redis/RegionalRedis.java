package io.duet.api.redis;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.redisson.api.RedissonClient;

/**
 * The Redis of a couple's home region. A couple's realtime events go to the log in its home region's Redis,
 * where its clients' gateway nodes read and subscribe, whichever region served the call that caused them
 * (infra/README.md, "Cross-region writes and events"). This region's Redis is the process's client; another
 * region's is opened the first time an event goes there, with the same timeouts, from
 * {@code duet.redis.regions.<region>}. A region not listed there, this one included, is this region's Redis.
 */
@Singleton
public final class RegionalRedis {
    private final RedissonClient local;
    private final RedisConfig config;
    private final Map<String, String> uris;
    private final Map<String, ReconnectableRedis> remote = new ConcurrentHashMap<>();

    RegionalRedis(RedissonClient local, RedisConfig config) {
        this.local = local;
        this.config = config;
        this.uris = (config.regions() == null ? Map.<String, String>of() : config.regions())
                .entrySet().stream()
                        .collect(Collectors.toUnmodifiableMap(e -> normalized(e.getKey()), Map.Entry::getValue));
    }

    /** The Redis of {@code region}: this region's unless {@code duet.redis.regions} names another for it. */
    public RedissonClient of(String region) {
        String uri = region == null ? null : uris.get(normalized(region));
        if (uri == null) {
            return local;
        }
        return remote.computeIfAbsent(
                        normalized(region),
                        key -> new ReconnectableRedis(() -> RedisFactory.create(new RedisConfig(
                                uri, config.connectTimeout(), config.commandTimeout(), config.clientName(), Map.of()))))
                .facade();
    }

    /** This region's Redis and every other region's listed: for what must be removed wherever it is. */
    public List<RedissonClient> all() {
        List<RedissonClient> all = new ArrayList<>();
        all.add(local);
        uris.keySet().forEach(region -> all.add(of(region)));
        return all;
    }

    /** Closes the connections to other regions' Redis. */
    @PreDestroy
    void close() {
        remote.values().forEach(ReconnectableRedis::disconnect);
    }

    /**
     * Region names as settings spell them: {@code eu-west-1} in YAML, {@code eu_west_1} or {@code eu.west.1} once
     * an environment variable ({@code DUET_REDIS_REGIONS_EU_WEST_1}) has been through Micronaut's binding.
     */
    static String normalized(String region) {
        return region.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
    }
}
