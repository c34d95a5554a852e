package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.infra.data.DataStack;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A call served in one region sends the events of a couple homed in another to that region's Redis
 * (the application's RegionalRedis, proven locally by HomeRegionTest in realtime): every region's Redis URI
 * secret is replicated to the others, and every region's units get the other regions' as DUET_REDIS_REGIONS_*.
 */
class RegionLinksTest {

    @Test
    void givenEveryRegion_whenSynthesized_thenItsRedisUriIsReplicatedToEveryOtherRegion() {
        var config = Fixture.STACKS.config();
        for (String region : config.regions().keySet()) {
            List<Map<String, String>> others = config.regions().keySet().stream()
                    .filter(r -> !r.equals(region))
                    .map(r -> Map.of("Region", r))
                    .toList();

            Fixture.template(Fixture.region(region).data())
                    .hasResourceProperties(
                            "AWS::SecretsManager::Secret",
                            Map.of("Name", DataStack.redisUriName(config, region), "ReplicaRegions", others));
        }
    }

    @Test
    void givenEveryRegion_whenSynthesized_thenItsServicesAndFunctionsGetTheOtherRegionsRedisAndNotTheirOwn() {
        var config = Fixture.STACKS.config();
        for (String region : config.regions().keySet()) {
            var expected = config.regions().keySet().stream()
                    .filter(r -> !r.equals(region))
                    .map(r -> "DUET_REDIS_REGIONS_" + r.toUpperCase(Locale.ROOT).replace('-', '_'))
                    .collect(Collectors.toSet());
            String services =
                    Fixture.template(Fixture.region(region).services()).toJSON().toString();
            String functions =
                    Fixture.template(Fixture.region(region).api()).toJSON().toString();
            String own = "DUET_REDIS_REGIONS_" + region.toUpperCase(Locale.ROOT).replace('-', '_');

            for (String name : expected) {
                assertTrue(services.contains("Name=" + name), region + " services lack " + name);
                assertTrue(functions.contains(name + "="), region + " functions lack " + name);
            }
            assertTrue(!services.contains(own) && !functions.contains(own), region + " links to itself");
            // Each is the replica here of the other region's secret, by its fixed name.
            for (String other : config.regions().keySet()) {
                if (!other.equals(region)) {
                    assertTrue(
                            functions.contains("resolve:secretsmanager:arn:")
                                    && functions.contains(DataStack.redisUriName(config, other)),
                            region + " functions read " + DataStack.redisUriName(config, other));
                }
            }
            assertEquals(config.regions().size() - 1, expected.size());
        }
    }
}
