package io.duet.infra.foundation;

import io.duet.infra.DeploymentConfig;
import java.util.List;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IInterfaceVpcEndpointService;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.constructs.Construct;

/**
 * What every other stack of a region stands on: the VPC and its endpoints, the security group every Duet
 * unit runs in, the region's KMS key, the alarm topic and the image repositories.
 */
public final class FoundationStack extends Stack {
    private final Vpc vpc;
    private final SecurityGroup appSecurityGroup;
    private final Key key;
    private final Topic alarms;
    private final Repository gatewayRepository;
    private final Repository workerRepository;

    public FoundationStack(Construct scope, String id, StackProps props, DeploymentConfig config, String region) {
        super(scope, id, props);
        String prefix = config.prefix();

        var flowLogs = LogGroup.Builder.create(this, "FlowLogs")
                .retention(RetentionDays.THREE_MONTHS)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // Availability zones are named, not looked up: synthesis stays offline. Every Duet region has a, b and c.
        vpc = Vpc.Builder.create(this, "Vpc")
                .ipAddresses(IpAddresses.cidr(config.regions().get(region)))
                .availabilityZones(List.of(region + "a", region + "b", region + "c"))
                .natGateways(3)
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder()
                                .name("public")
                                .subnetType(SubnetType.PUBLIC)
                                .cidrMask(22)
                                .build(),
                        SubnetConfiguration.builder()
                                .name("app")
                                .subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                                .cidrMask(20)
                                .build(),
                        SubnetConfiguration.builder()
                                .name("data")
                                .subnetType(SubnetType.PRIVATE_ISOLATED)
                                .cidrMask(22)
                                .build()))
                .flowLogs(java.util.Map.of(
                        "all",
                        FlowLogOptions.builder()
                                .destination(FlowLogDestination.toCloudWatchLogs(flowLogs))
                                .trafficType(FlowLogTrafficType.ALL)
                                .build()))
                .build();

        vpc.addGatewayEndpoint(
                "S3",
                GatewayVpcEndpointOptions.builder()
                        .service(GatewayVpcEndpointAwsService.S3)
                        .build());
        // The services the units call on every request or at start stay inside the VPC: secrets at start,
        // images and logs for Fargate, metrics, KMS for the secrets' keys, SES's SMTP endpoint for the email worker.
        List<IInterfaceVpcEndpointService> services = List.of(
                InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
                InterfaceVpcEndpointAwsService.ECR,
                InterfaceVpcEndpointAwsService.ECR_DOCKER,
                InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
                InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
                InterfaceVpcEndpointAwsService.KMS,
                InterfaceVpcEndpointAwsService.EMAIL_SMTP);
        var endpointSg = SecurityGroup.Builder.create(this, "EndpointSg")
                .vpc(vpc)
                .description("Interface endpoints: HTTPS from the VPC")
                .allowAllOutbound(false)
                .build();
        endpointSg.addIngressRule(Peer.ipv4(config.regions().get(region)), Port.tcp(443), "HTTPS from the VPC");
        endpointSg.addIngressRule(
                Peer.ipv4(config.regions().get(region)), Port.tcp(587), "SMTP submission from the VPC");
        for (int i = 0; i < services.size(); i++) {
            vpc.addInterfaceEndpoint(
                    "Endpoint" + i,
                    InterfaceVpcEndpointOptions.builder()
                            .service(services.get(i))
                            .privateDnsEnabled(true)
                            .securityGroups(List.of(endpointSg))
                            .open(false)
                            .subnets(SubnetSelection.builder()
                                    .subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                                    .build())
                            .build());
        }

        appSecurityGroup = SecurityGroup.Builder.create(this, "AppSg")
                .vpc(vpc)
                .description("Every Duet unit (functions, gateway and worker tasks); the data stores admit this group")
                .allowAllOutbound(true)
                .build();

        key = Key.Builder.create(this, "Key")
                .alias(prefix + "-" + region)
                .enableKeyRotation(true)
                .description("Duet " + config.stage() + " " + region + ": alarm topic, function environments, logs")
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        key.grantEncryptDecrypt(new ServicePrincipal("cloudwatch.amazonaws.com"));

        alarms = Topic.Builder.create(this, "Alarms")
                .topicName(prefix + "-alarms")
                .masterKey(key)
                .enforceSsl(true)
                .build();
        if (!config.alarmEmail().isBlank()) {
            alarms.addSubscription(new EmailSubscription(config.alarmEmail()));
        }

        gatewayRepository = repository("GatewayRepository", prefix + "-gateway");
        workerRepository = repository("WorkerRepository", prefix + "-worker");
        // What duet:vpcIds needs for the links stacks (the regions' peering).
        software.amazon.awscdk.CfnOutput.Builder.create(this, "VpcId")
                .value(vpc.getVpcId())
                .description("This region's entry in duet:vpcIds")
                .build();
    }

    private Repository repository(String id, String name) {
        return Repository.Builder.create(this, id)
                .repositoryName(name)
                .imageScanOnPush(true)
                .imageTagMutability(TagMutability.IMMUTABLE)
                .removalPolicy(RemovalPolicy.RETAIN)
                .lifecycleRules(List.of(software.amazon.awscdk.services.ecr.LifecycleRule.builder()
                        .description("keep the last 50 images")
                        .maxImageCount(50)
                        .build()))
                .build();
    }

    public Vpc vpc() {
        return vpc;
    }

    public SecurityGroup appSecurityGroup() {
        return appSecurityGroup;
    }

    public Key key() {
        return key;
    }

    public Topic alarms() {
        return alarms;
    }

    public Repository gatewayRepository() {
        return gatewayRepository;
    }

    public Repository workerRepository() {
        return workerRepository;
    }
}
