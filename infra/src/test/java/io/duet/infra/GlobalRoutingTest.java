package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Latency routing with health checks; stacks bound to one account and region, linked by names, not references. */
class GlobalRoutingTest {

    @Test
    void givenEveryRegion_whenSynthesized_thenApiAndGatewayLatencyRecordsCarryAHealthCheckOfThatRegion() {
        var hosts = new Hostnames(Fixture.STACKS.config().zoneName());
        for (var entry : Fixture.STACKS.regions().entrySet()) {
            String region = entry.getKey();
            for (var pair : List.of(
                    Map.entry(entry.getValue().api(), hosts),
                    Map.entry(entry.getValue().services(), hosts))) {
                Template template = Fixture.template(pair.getKey());
                boolean api = pair.getKey() == entry.getValue().api();
                String name = api ? hosts.api() : hosts.realtime();
                String regional = api ? hosts.api(region) : hosts.realtime(region);

                template.hasResourceProperties(
                        "AWS::Route53::RecordSet",
                        Map.of(
                                "Name",
                                name + ".",
                                "Type",
                                "A",
                                "Region",
                                region,
                                "SetIdentifier",
                                region,
                                "HealthCheckId",
                                Match.objectLike(Map.of("Ref", Match.anyValue()))));
                template.hasResourceProperties(
                        "AWS::Route53::HealthCheck",
                        Map.of(
                                "HealthCheckConfig",
                                Match.objectLike(Map.of(
                                        "Type",
                                        "HTTPS",
                                        "FullyQualifiedDomainName",
                                        regional,
                                        "ResourcePath",
                                        "/health/readiness"))));
                template.hasResourceProperties("AWS::Route53::RecordSet", Map.of("Name", regional + ".", "Type", "A"));
            }
        }
    }

    @Test
    void givenEveryStack_whenSynthesized_thenItNamesItsAccountAndRegionAndImportsNothingFromAnotherRegion() {
        var config = Fixture.STACKS.config();
        var stacks = new ArrayList<Stack>();
        Fixture.STACKS
                .regions()
                .values()
                .forEach(r -> stacks.addAll(List.of(r.foundation(), r.data(), r.media(), r.api(), r.services())));
        stacks.add(Fixture.STACKS.edge());

        for (Stack stack : stacks) {
            assertFalse(
                    Token.isUnresolved(stack.getAccount()) || Token.isUnresolved(stack.getRegion()),
                    stack.getStackName());
            assertEquals(config.account(), stack.getAccount());
            String json = Fixture.template(stack).toJSON().toString();
            assertFalse(
                    json.contains("ExportsReader")
                            || json.contains("ExportsWriter")
                            || json.contains("Custom::CrossRegion"),
                    stack.getStackName() + " uses a cross-region reference");
        }
        assertEquals(DeploymentConfig.EDGE_REGION, Fixture.STACKS.edge().getRegion());
    }

    @Test
    void givenTheEdgeStack_whenSynthesized_thenEachRegionsMediaIsServedThroughOriginAccessControlBehindWaf() {
        Template edge = Fixture.template(Fixture.STACKS.edge());
        int regions = Fixture.STACKS.regions().size();

        edge.hasResourceProperties("AWS::WAFv2::WebACL", Map.of("Scope", "CLOUDFRONT"));
        edge.resourceCountIs("AWS::CloudFront::Distribution", regions);
        edge.resourceCountIs("AWS::CloudFront::OriginAccessControl", regions);
        edge.hasResourceProperties(
                "AWS::CloudFront::Distribution",
                Map.of(
                        "DistributionConfig",
                        Match.objectLike(Map.of(
                                "WebACLId", Match.anyValue(),
                                "ViewerCertificate",
                                        Match.objectLike(Map.of("MinimumProtocolVersion", "TLSv1.2_2021"))))));
        Fixture.template(Fixture.primary().media())
                .hasResourceProperties(
                        "AWS::S3::Bucket",
                        Map.of(
                                "PublicAccessBlockConfiguration",
                                Map.of(
                                        "BlockPublicAcls",
                                        true,
                                        "BlockPublicPolicy",
                                        true,
                                        "IgnorePublicAcls",
                                        true,
                                        "RestrictPublicBuckets",
                                        true)));
    }
}
