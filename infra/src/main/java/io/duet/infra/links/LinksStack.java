package io.duet.infra.links;

import io.duet.infra.DeploymentConfig;
import io.duet.infra.Nag;
import io.duet.infra.foundation.FoundationStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsCustomResourcePolicy;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.amazon.awscdk.customresources.SdkCallsPolicyOptions;
import software.amazon.awscdk.services.ec2.CfnRoute;
import software.amazon.awscdk.services.ec2.CfnVPCPeeringConnection;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.constructs.Construct;

/**
 * The region's VPC peered with every other region's, and the routes to their CIDRs: what lets a secondary region's
 * units reach the primary writer's RDS Proxy and every region reach the others' Redis (infra/README.md,
 * "Cross-region writes and events"). Built only when {@code duet:vpcIds} names every region's VPC (the outputs of
 * the foundation stacks, as {@code duet:writerEndpoint} is the data stack's).
 *
 * <p>Each pair is peered once: the region later in deploy order requests, the earlier accepts (the same account
 * accepts without a role). The requester knows the connection it made; the accepter finds it by the two VPC ids
 * ({@code DescribeVpcPeeringConnections}, at deploy), so the links stacks deploy in reverse deploy order.
 */
public final class LinksStack extends Stack {
    private final List<CfnVPCPeeringConnection> requested = new ArrayList<>();
    private final List<AwsCustomResource> accepted = new ArrayList<>();

    public LinksStack(
            Construct scope,
            String id,
            StackProps props,
            DeploymentConfig config,
            String region,
            FoundationStack foundation,
            Map<String, String> vpcIds) {
        super(scope, id, props);
        List<String> order = config.regionsInDeployOrder();
        int self = order.indexOf(region);
        String ownVpc = vpcIds.get(region);
        List<ISubnet> subnets = new ArrayList<>(foundation.vpc().getPrivateSubnets());
        subnets.addAll(foundation.vpc().getIsolatedSubnets());
        for (String other : order) {
            if (other.equals(region)) {
                continue;
            }
            String connection;
            if (order.indexOf(other) < self) {
                var peering = CfnVPCPeeringConnection.Builder.create(this, "PeeringTo-" + other)
                        .vpcId(foundation.vpc().getVpcId())
                        .peerVpcId(vpcIds.get(other))
                        .peerRegion(other)
                        .tags(List.of(software.amazon.awscdk.CfnTag.builder()
                                .key("Name")
                                .value(config.prefix() + "-" + region + "-to-" + other)
                                .build()))
                        .build();
                requested.add(peering);
                connection = peering.getRef();
            } else {
                var lookup = AwsCustomResource.Builder.create(this, "PeeringFrom-" + other)
                        .onUpdate(AwsSdkCall.builder()
                                .service("EC2")
                                .action("describeVpcPeeringConnections")
                                .parameters(Map.of(
                                        "Filters",
                                        List.of(
                                                Map.of(
                                                        "Name",
                                                        "requester-vpc-info.vpc-id",
                                                        "Values",
                                                        List.of(vpcIds.get(other))),
                                                Map.of("Name", "accepter-vpc-info.vpc-id", "Values", List.of(ownVpc)),
                                                Map.of("Name", "status-code", "Values", List.of("active")))))
                                .physicalResourceId(PhysicalResourceId.of(vpcIds.get(other) + "-" + ownVpc))
                                .outputPaths(List.of("VpcPeeringConnections.0.VpcPeeringConnectionId"))
                                .build())
                        .policy(AwsCustomResourcePolicy.fromSdkCalls(SdkCallsPolicyOptions.builder()
                                .resources(AwsCustomResourcePolicy.ANY_RESOURCE)
                                .build()))
                        .installLatestAwsSdk(false)
                        .build();
                accepted.add(lookup);
                connection = lookup.getResponseField("VpcPeeringConnections.0.VpcPeeringConnectionId");
            }
            for (int i = 0; i < subnets.size(); i++) {
                CfnRoute.Builder.create(this, "To-" + other + "-" + i)
                        .routeTableId(subnets.get(i).getRouteTable().getRouteTableId())
                        .destinationCidrBlock(config.regions().get(other))
                        .vpcPeeringConnectionId(connection)
                        .build();
            }
        }
        if (!accepted.isEmpty()) {
            Nag.accept(
                    this,
                    "AwsSolutions-IAM5",
                    "DescribeVpcPeeringConnections has no resource-level permissions: it needs Resource *");
            Nag.accept(
                    this,
                    "AwsSolutions-IAM4",
                    "The lookup function's role carries AWSLambdaBasicExecutionRole (its logs), as CDK's custom resources do");
            Nag.accept(
                    this,
                    "AwsSolutions-L1",
                    "The lookup function's runtime is the one CDK's custom-resource provider ships with");
        }
    }

    /** The peering connections this region requested (one per region earlier in deploy order). */
    public List<CfnVPCPeeringConnection> requested() {
        return requested;
    }

    /** The lookups of the connections later regions requested. */
    public List<AwsCustomResource> accepted() {
        return accepted;
    }
}
