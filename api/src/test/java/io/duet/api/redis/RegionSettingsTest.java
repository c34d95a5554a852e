package io.duet.api.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Other regions' Redis come from environment variables such as {@code DUET_REDIS_REGIONS_US_EAST_1}, as the infra
 * sets them (and each region's gateway URL from {@code DUET_COUPLES_GATEWAY_URLS_US_EAST_1}): {@code us-east-1}
 * finds them.
 */
class RegionSettingsTest {

    @Test
    void givenAnotherRegionsRedisInTheEnvironment_whenLookedUp_thenItsRegionNameFindsItAndOthersAreLocal() {
        try (ApplicationContext context = ApplicationContext.builder("test")
                .propertySources(PropertySource.of(
                        "environment",
                        Map.of(
                                "DUET_REDIS_REGIONS_US_EAST_1",
                                "redis://127.0.0.1:6390/0",
                                "DUET_COUPLES_GATEWAY_URLS_US_EAST_1",
                                "wss://rt.us"),
                        PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE))
                .start()) {
            RegionalRedis regions = context.getBean(RegionalRedis.class);
            RedissonClient local = context.getBean(RedissonClient.class);

            assertEquals(
                    "redis://127.0.0.1:6390/0",
                    Map.copyOf(context.getBean(RedisConfig.class).regions())
                            .values()
                            .iterator()
                            .next());
            RedissonClient usEast = regions.of("us-east-1");
            assertEquals(usEast, regions.of("US_EAST_1"));
            assertEquals(2, regions.all().size());
            assertSame(local, regions.of("eu-west-1"), "a region not listed is this region's Redis");
            assertSame(local, regions.of(null));
            assertEquals(false, usEast == local);
            // The couples' gateway URLs come the same way, and the two must agree on region names.
            assertEquals(
                    "wss://rt.us",
                    context.getBean(io.duet.api.couple.CoupleConfig.class)
                            .gatewayUrls()
                            .get("us-east-1"));
        }
    }
}
