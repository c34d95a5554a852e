package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * With every region's VPC id given, each pair of regions is peered once (the later region in deploy order requests,
 * the earlier finds the connection by the two VPC ids) and every app and data subnet routes each other region's
 * CIDR through it; without them there is no links stack.
 */
class LinksTest {
    private static final int SUBNETS = 6; // app and data subnets in three availability zones

    @Test
    void givenNoVpcIds_whenSynthesized_thenNoRegionHasLinks() {
        Fixture.STACKS.regions().values().forEach(r -> assertNull(r.links()));
    }

    @Test
    void givenEveryRegionsVpc_whenSynthesized_thenEveryPairIsPeeredOnceAndRoutedBothWays() {
        var context = new HashMap<>(DuetApp.cdkJsonContext(Fixture.INFRA.resolve("cdk.json")));
        context.put("duet:promotionsFile", "src/test/resources/promotions.csv");
        context.put("duet:functionsDir", "target/no-functions-here");
        var regions = DeploymentConfig.from(context::get, Fixture.INFRA).regionsInDeployOrder();
        Map<String, String> vpcs = regions.stream().collect(Collectors.toMap(r -> r, r -> "vpc-" + r.hashCode()));
        context.put(
                "duet:vpcIds",
                vpcs.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",")));
        var app = new App(AppProps.builder().context(context).build());
        var stacks = DuetApp.build(
                app, DeploymentConfig.from(key -> app.getNode().tryGetContext(key), Fixture.INFRA), Fixture.NOW);

        for (int i = 0; i < regions.size(); i++) {
            String region = regions.get(i);
            var links = stacks.regions().get(region).links();
            Template template = Template.fromStack(links);
            // Requests to every earlier region, lookups of what every later region requested.
            template.resourceCountIs("AWS::EC2::VPCPeeringConnection", i);
            template.resourceCountIs("Custom::AWS", regions.size() - 1 - i);
            for (String earlier : regions.subList(0, i)) {
                template.hasResourceProperties(
                        "AWS::EC2::VPCPeeringConnection",
                        Map.of("PeerVpcId", vpcs.get(earlier), "PeerRegion", earlier));
            }
            template.resourceCountIs("AWS::EC2::Route", SUBNETS * (regions.size() - 1));
            for (String other : regions) {
                if (!other.equals(region)) {
                    assertEquals(
                            SUBNETS,
                            template.findResources(
                                            "AWS::EC2::Route",
                                            Map.of(
                                                    "Properties",
                                                    Map.of(
                                                            "DestinationCidrBlock",
                                                            stacks.config()
                                                                    .regions()
                                                                    .get(other),
                                                            "VpcPeeringConnectionId",
                                                            Match.anyValue())))
                                    .size(),
                            region + " routes to " + other);
                }
            }
            Annotations.fromStack(links).hasNoError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        }
        assertTrue(regions.size() >= 3, "the test needs three regions: " + regions);
    }

    @Test
    void givenVpcIdsThatMissARegion_whenRead_thenSynthesisFailsNamingThem() {
        var context = new HashMap<>(DuetApp.cdkJsonContext(Fixture.INFRA.resolve("cdk.json")));
        context.put("duet:vpcIds", "eu-west-1=vpc-1");

        var error =
                assertThrows(IllegalArgumentException.class, () -> DeploymentConfig.from(context::get, Fixture.INFRA));

        assertTrue(error.getMessage().startsWith("duet:vpcIds must name the VPC of every region"), error.getMessage());
    }
}
