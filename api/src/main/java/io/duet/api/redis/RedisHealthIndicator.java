package io.duet.api.redis;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.endpoint.health.HealthEndpoint;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;

/** Readiness: Redis answers a PING within a second. */
@Singleton
@Readiness
@Requires(beans = HealthEndpoint.class)
final class RedisHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final RedissonClient redis;

    RedisHealthIndicator(RedissonClient redis) {
        this.redis = redis;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        boolean answers;
        try {
            answers = redis.getRedisNodes(RedisNodes.SINGLE).getInstance().ping(1, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            answers = false;
        }
        healthStatus = answers ? HealthStatus.UP : HealthStatus.DOWN;
        return Map.of("answers", answers);
    }

    @Override
    protected String getName() {
        return "redis";
    }
}
