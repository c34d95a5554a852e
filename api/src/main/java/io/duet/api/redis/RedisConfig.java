package io.duet.api.redis;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where Redis is and how long we wait for it.
 *
 * @param uri {@code DUET_REDIS_URI}: {@code redis://[:password@]host:port/db}, {@code rediss://} for TLS;
 *     default {@code redis://127.0.0.1:6379/0}
 * @param connectTimeout how long opening a connection may take; default 2 s
 * @param commandTimeout how long a command may wait for its answer before it fails (and a request
 *     depending on it answers 503); default 3 s
 * @param clientName the name every connection of this process shows in Redis's {@code CLIENT LIST};
 *     default {@code duet}
 * @param regions the Redis of each other region, by region name ({@code DUET_REDIS_REGIONS_US_EAST_1=rediss://…}):
 *     events of a couple homed there go to it ({@link RegionalRedis}); default none (one region)
 */
@ConfigurationProperties("duet.redis")
public record RedisConfig(
        @NotBlank String uri,
        @NotNull Duration connectTimeout,
        @NotNull Duration commandTimeout,
        @NotBlank String clientName,
        @Nullable Map<String, String> regions) {

    /** The address without credentials or database, as Redisson wants it. */
    String address() {
        URI parsed = URI.create(uri);
        return parsed.getScheme() + "://" + parsed.getHost() + ":" + (parsed.getPort() > 0 ? parsed.getPort() : 6379);
    }

    int database() {
        String path = URI.create(uri).getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    String password() {
        String userInfo = URI.create(uri).getUserInfo();
        if (userInfo == null || userInfo.isEmpty()) {
            return null;
        }
        int colon = userInfo.indexOf(':');
        return colon >= 0 ? userInfo.substring(colon + 1) : userInfo;
    }

    /**
     * Which Redis this is, stable across its restarts and without credentials: {@code host:port/db}. The
     * outbox records it with every relayed job, so a relay judges only the jobs it sent to its own Redis
     * (regions, or tests, with a Redis each share one outbox table).
     */
    public String identity() {
        URI parsed = URI.create(uri);
        return parsed.getHost() + ":" + (parsed.getPort() > 0 ? parsed.getPort() : 6379) + "/" + database();
    }

    /** The URI with any password masked, for start-up messages. */
    public String redacted() {
        URI parsed = URI.create(uri);
        return parsed.getScheme() + "://" + parsed.getHost() + ":" + (parsed.getPort() > 0 ? parsed.getPort() : 6379)
                + "/" + database();
    }
}
