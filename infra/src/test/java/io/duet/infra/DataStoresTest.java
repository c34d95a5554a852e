package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duet.infra.data.DataStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Redis and Aurora as DESIGN.md and the issue want them in every region. */
class DataStoresTest {

    @Test
    void givenEveryRegion_whenSynthesized_thenRedisIsMultiAzWithTlsAuthAndNoEviction() {
        for (var region : Fixture.STACKS.regions().values()) {
            Template data = Fixture.template(region.data());

            data.hasResourceProperties(
                    "AWS::ElastiCache::ReplicationGroup",
                    Map.of(
                            "MultiAZEnabled",
                            true,
                            "AutomaticFailoverEnabled",
                            true,
                            "NumCacheClusters",
                            2,
                            "TransitEncryptionEnabled",
                            true,
                            "TransitEncryptionMode",
                            "required",
                            "AtRestEncryptionEnabled",
                            true,
                            "AuthToken",
                            Match.objectLike(Map.of(
                                    "Fn::Join",
                                    Match.arrayWith(List.of(Match.arrayWith(
                                            List.of(Match.stringLikeRegexp("\\{\\{resolve:secretsmanager:.*"))))))),
                            "CacheParameterGroupName",
                            Match.anyValue()));
            data.hasResourceProperties(
                    "AWS::ElastiCache::ParameterGroup", Map.of("Properties", Map.of("maxmemory-policy", "noeviction")));
        }
    }

    @Test
    void givenThePrimaryRegion_whenSynthesized_thenItHoldsTheWriterTheGlobalClusterAndTheSharedSecrets() {
        Template data = Fixture.template(Fixture.primary().data());
        var config = Fixture.STACKS.config();

        data.hasResourceProperties(
                "AWS::RDS::GlobalCluster",
                Map.of(
                        "GlobalClusterIdentifier",
                        DataStack.globalClusterId(config),
                        "SourceDBClusterIdentifier",
                        Match.anyValue()));
        data.hasResourceProperties(
                "AWS::RDS::DBCluster",
                Map.of(
                        "Engine",
                        "aurora-postgresql",
                        "StorageEncrypted",
                        true,
                        "MasterUsername",
                        Match.anyValue(),
                        "DeletionProtection",
                        true));
        for (String name : List.of("jwt-secret", "ops-token", "db-credentials")) {
            data.hasResourceProperties(
                    "AWS::SecretsManager::Secret",
                    Map.of(
                            "Name",
                            config.prefix() + "/" + name,
                            "ReplicaRegions",
                            config.secondaryRegions().stream()
                                    .map(r -> Map.of("Region", r))
                                    .toList()));
        }
        data.hasResourceProperties("AWS::RDS::DBProxy", Map.of("RequireTLS", true, "EngineFamily", "POSTGRESQL"));
    }

    @Test
    void givenASecondaryRegion_whenSynthesized_thenItsClusterJoinsTheGlobalClusterAndCarriesNoCredentials() {
        var config = Fixture.STACKS.config();
        for (String region : config.secondaryRegions()) {
            Template data = Fixture.template(Fixture.region(region).data());

            data.resourceCountIs("AWS::RDS::GlobalCluster", 0);
            data.hasResourceProperties(
                    "AWS::RDS::DBCluster",
                    Map.of(
                            "GlobalClusterIdentifier", DataStack.globalClusterId(config),
                            "MasterUsername", Match.absent(),
                            "MasterUserPassword", Match.absent(),
                            "ManageMasterUserPassword", Match.absent(),
                            "StorageEncrypted", true));
            // Only the region's own Redis secrets are made here; the shared ones are the primary's replicas.
            assertEquals(2, data.findResources("AWS::SecretsManager::Secret").size());
            data.hasResourceProperties("AWS::RDS::DBProxy", Map.of("RequireTLS", true));
        }
    }

    @Test
    void givenThePrimarysDataSecurityGroup_whenSynthesized_thenThePeeredRegionsReachPostgresAndRedis() {
        var config = Fixture.STACKS.config();
        Template data = Fixture.template(Fixture.primary().data());

        for (String region : config.secondaryRegions()) {
            String cidr = config.regions().get(region);
            data.hasResourceProperties(
                    "AWS::EC2::SecurityGroup",
                    Map.of(
                            "SecurityGroupIngress",
                            Match.arrayWith(List.of(
                                    Match.objectLike(Map.of("CidrIp", cidr, "FromPort", 5432)),
                                    Match.objectLike(Map.of("CidrIp", cidr, "FromPort", DataStack.REDIS_PORT))))));
        }
    }
}
