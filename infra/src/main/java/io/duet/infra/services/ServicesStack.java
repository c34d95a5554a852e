package io.duet.infra.services;

import io.duet.capacity.CapacityModel;
import io.duet.capacity.CapacityPlan;
import io.duet.infra.Alarms;
import io.duet.infra.AlertThresholds;
import io.duet.infra.DeploymentConfig;
import io.duet.infra.Hostnames;
import io.duet.infra.Nag;
import io.duet.infra.UnitSettings;
import io.duet.infra.Waf;
import io.duet.infra.data.DataStack;
import io.duet.infra.foundation.FoundationStack;
import io.duet.infra.media.MediaStack;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.applicationautoscaling.EnableScalingProps;
import software.amazon.awscdk.services.applicationautoscaling.ScalingInterval;
import software.amazon.awscdk.services.applicationautoscaling.ScalingSchedule;
import software.amazon.awscdk.services.applicationautoscaling.Schedule;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.certificatemanager.CertificateValidation;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SecurityGroupImportOptions;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.CpuArchitecture;
import software.amazon.awscdk.services.ecs.CpuUtilizationScalingProps;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.ecs.OperatingSystemFamily;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.ecs.RuntimePlatform;
import software.amazon.awscdk.services.ecs.ScalableTaskCount;
import software.amazon.awscdk.services.ecs.Secret;
import software.amazon.awscdk.services.ecs.TrackCustomMetricProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.AddApplicationTargetsProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationListener;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationLoadBalancer;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationProtocol;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationTargetGroup;
import software.amazon.awscdk.services.elasticloadbalancingv2.BaseApplicationListenerProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.ListenerCertificate;
import software.amazon.awscdk.services.elasticloadbalancingv2.SslPolicy;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.route53.ARecord;
import software.amazon.awscdk.services.route53.HealthCheck;
import software.amazon.awscdk.services.route53.HealthCheckType;
import software.amazon.awscdk.services.route53.HostedZone;
import software.amazon.awscdk.services.route53.HostedZoneAttributes;
import software.amazon.awscdk.services.route53.RecordTarget;
import software.amazon.awscdk.services.route53.targets.LoadBalancerTarget;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;

/**
 * A region's ECS services: the realtime gateway behind an ALB (sticky on the gateway's own cookie, WAF in
 * front) and the worker service, each scaled on what limits it, raised by the promotions' scheduled actions,
 * and rolled back by the deployment circuit breaker when a new task set does not get healthy.
 */
public final class ServicesStack extends Stack {
    public static final int CONTAINER_PORT = 8080;
    /** Namespace of the metrics the units publish to CloudWatch (EMF); the names are listed in infra/README.md. */
    public static final String METRICS_NAMESPACE = "Duet";

    static final List<String> QUEUES = List.of("email", "media", "account-purge");
    /** Seconds the oldest job of a queue may wait before workers are added. */
    static final int QUEUE_AGE_TARGET_SECONDS = 30;
    /** Share of a gateway task's planned connections at which gateways are added. */
    static final double CONNECTIONS_TARGET_SHARE = 0.6;

    private final FargateService gateway;
    private final FargateService worker;
    private final ApplicationLoadBalancer loadBalancer;
    private final ApplicationTargetGroup targetGroup;

    public ServicesStack(
            Construct scope,
            String id,
            StackProps props,
            DeploymentConfig config,
            String region,
            FoundationStack foundation,
            DataStack data,
            CapacityModel model,
            List<CapacityPlan> plans) {
        super(scope, id, props);
        var hosts = new Hostnames(config.zoneName());
        var inputs = model.inputs();
        var cluster = Cluster.Builder.create(this, "Cluster")
                .clusterName(config.prefix())
                .vpc(foundation.vpc())
                .containerInsightsV2(ContainerInsights.ENHANCED)
                .build();
        var appSubnets = SubnetSelection.builder()
                .subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                .build();
        var action = new SnsAction(foundation.alarms());
        // Imported immutable: a rule CDK would add to the foundation's group (the ALB's, for one) would make the
        // foundation stack depend on this one. This stack's rules sit on its own groups.
        var appSecurityGroup = SecurityGroup.fromSecurityGroupId(
                this,
                "AppSg",
                foundation.appSecurityGroup().getSecurityGroupId(),
                SecurityGroupImportOptions.builder().mutable(false).build());

        var env = new LinkedHashMap<>(UnitSettings.common(config, region, data));
        env.put("DUET_RATE_LIMITS_TRUSTED_PROXIES", config.regions().get(region));
        // The metrics the scaling policies and alarms below read (namespace Duet, CloudWatchEmf in the api module).
        env.put("DUET_METRICS_EMF_ENABLED", "true");
        var secrets = new LinkedHashMap<String, Secret>();
        secrets.put("DATASOURCES_DEFAULT_USERNAME", Secret.fromSecretsManager(data.dbCredentials(), "username"));
        secrets.put("DATASOURCES_DEFAULT_PASSWORD", Secret.fromSecretsManager(data.dbCredentials(), "password"));
        secrets.put("DUET_JWT_SECRET", Secret.fromSecretsManager(data.jwtSecret()));
        secrets.put("DUET_OPS_TOKEN", Secret.fromSecretsManager(data.opsToken()));
        secrets.put("DUET_REDIS_URI", Secret.fromSecretsManager(data.redisUri()));
        UnitSettings.otherRegionsRedis(this, config, region)
                .forEach((name, secret) -> secrets.put(name, Secret.fromSecretsManager(secret)));

        // Gateway.
        var gatewayTask = task("GatewayTask", inputs.gatewayTaskMemoryMb());
        var gatewayEnv = new LinkedHashMap<>(env);
        gatewayEnv.put("DUET_HTTP_SERVED_PATHS", "/health,/metrics,/v1/realtime");
        gatewayEnv.put("DUET_METRICS_EMF_SERVICE", "gateway");
        container(
                gatewayTask,
                "gateway",
                ContainerImage.fromEcrRepository(foundation.gatewayRepository(), config.imageTag()),
                gatewayEnv,
                secrets,
                GatewayTiming.STOP_TIMEOUT);
        gateway = service("Gateway", cluster, gatewayTask, appSecurityGroup, appSubnets, inputs.baselineGateways());

        var albSg = SecurityGroup.Builder.create(this, "AlbSg")
                .vpc(foundation.vpc())
                .allowAllOutbound(false)
                .description("Realtime ALB: HTTPS and HTTP (redirected) from the internet")
                .build();
        albSg.addIngressRule(Peer.anyIpv4(), Port.tcp(443), "HTTPS from clients");
        albSg.addIngressRule(Peer.anyIpv4(), Port.tcp(80), "HTTP from clients, redirected to HTTPS");
        // The ALB's rules live here, with a group of the gateway tasks' own: a rule on the foundation's group that
        // named this stack's ALB group would make the foundation depend on this stack.
        var gatewaySg = SecurityGroup.Builder.create(this, "GatewaySg")
                .vpc(foundation.vpc())
                .allowAllOutbound(false)
                .description("Realtime gateway tasks: from the ALB")
                .build();
        gatewaySg.addIngressRule(albSg, Port.tcp(CONTAINER_PORT), "ALB to the gateway tasks");
        albSg.addEgressRule(gatewaySg, Port.tcp(CONTAINER_PORT), "to the gateway tasks");
        gateway.getConnections().addSecurityGroup(gatewaySg);
        loadBalancer = ApplicationLoadBalancer.Builder.create(this, "Alb")
                .vpc(foundation.vpc())
                .internetFacing(true)
                .vpcSubnets(
                        SubnetSelection.builder().subnetType(SubnetType.PUBLIC).build())
                .securityGroup(albSg)
                .idleTimeout(Duration.seconds(GatewayTiming.ALB_IDLE_TIMEOUT.toSeconds()))
                .dropInvalidHeaderFields(true)
                .deletionProtection(true)
                .build();
        loadBalancer.logAccessLogs(accessLogBucket(config, region), "alb");
        Nag.accept(albSg, "AwsSolutions-EC23", "The realtime ALB is the clients' public endpoint; WAF guards it");
        var zone = HostedZone.fromHostedZoneAttributes(
                this,
                "Zone",
                HostedZoneAttributes.builder()
                        .hostedZoneId(config.zoneId())
                        .zoneName(config.zoneName())
                        .build());
        var certificate = Certificate.Builder.create(this, "Certificate")
                .domainName(hosts.realtime())
                .subjectAlternativeNames(List.of(hosts.realtime(region)))
                .validation(CertificateValidation.fromDns(zone))
                .build();
        ApplicationListener https = loadBalancer.addListener(
                "Https",
                BaseApplicationListenerProps.builder()
                        .port(443)
                        .protocol(ApplicationProtocol.HTTPS)
                        .certificates(List.of(ListenerCertificate.fromCertificateManager(certificate)))
                        .sslPolicy(SslPolicy.RECOMMENDED_TLS)
                        .open(false)
                        .build());
        loadBalancer.addRedirect();
        targetGroup = https.addTargets(
                "Gateway",
                AddApplicationTargetsProps.builder()
                        .port(CONTAINER_PORT)
                        .protocol(ApplicationProtocol.HTTP)
                        .targets(List.of(gateway))
                        .healthCheck(software.amazon.awscdk.services.elasticloadbalancingv2.HealthCheck.builder()
                                .path("/health/readiness")
                                .interval(Duration.seconds(10))
                                .healthyThresholdCount(2)
                                .unhealthyThresholdCount(3)
                                .build())
                        .deregistrationDelay(Duration.seconds(GatewayTiming.DEREGISTRATION_DELAY.toSeconds()))
                        // app_cookie stickiness on the cookie the gateway sets; stickiness is an optimisation, any node
                        // serves any poll.
                        .stickinessCookieName(GatewayTiming.AFFINITY_COOKIE)
                        .stickinessCookieDuration(Duration.days(1))
                        .build());
        Waf.regional(this, "Waf", config.prefix() + "-realtime-" + region, loadBalancer.getLoadBalancerArn());

        var gatewayHealth = HealthCheck.Builder.create(this, "HealthCheck")
                .type(HealthCheckType.HTTPS)
                .fqdn(hosts.realtime(region))
                .port(443)
                .resourcePath("/health/readiness")
                .requestInterval(Duration.seconds(10))
                .failureThreshold(3)
                .build();
        ARecord.Builder.create(this, "LatencyRecord")
                .zone(zone)
                .recordName(hosts.realtime())
                .target(RecordTarget.fromAlias(new LoadBalancerTarget(loadBalancer)))
                .region(region)
                .setIdentifier(region)
                .healthCheck(gatewayHealth)
                .build();
        ARecord.Builder.create(this, "RegionalRecord")
                .zone(zone)
                .recordName(hosts.realtime(region))
                .target(RecordTarget.fromAlias(new LoadBalancerTarget(loadBalancer)))
                .build();

        var gatewayScaling = gateway.autoScaleTaskCount(EnableScalingProps.builder()
                .minCapacity(inputs.baselineGateways())
                .maxCapacity(inputs.maxGateways())
                .build());
        gatewayScaling.scaleToTrackCustomMetric(
                "Connections",
                TrackCustomMetricProps.builder()
                        .metric(duetMetric("RealtimeConnections", Map.of("Service", "gateway"), "Average"))
                        .targetValue(Math.floor(model.connectionsPerGateway() * CONNECTIONS_TARGET_SHARE))
                        .build());
        gatewayScaling.scaleOnCpuUtilization(
                "Cpu",
                CpuUtilizationScalingProps.builder()
                        .targetUtilizationPercent(60)
                        .build());
        schedule(gatewayScaling, plans, inputs.baselineGateways(), inputs.maxGateways(), true);

        // Worker.
        var workerTask = task("WorkerTask", 2048);
        var workerEnv = new LinkedHashMap<>(env);
        workerEnv.put("DUET_HTTP_SERVED_PATHS", "/health,/metrics,/ops");
        workerEnv.put("DUET_MAIL_SMTP_HOST", "email-smtp." + region + ".amazonaws.com");
        workerEnv.put("DUET_MAIL_SMTP_PORT", "587");
        workerEnv.put("DUET_MAIL_SMTP_STARTTLS", "true");
        var workerSecrets = new LinkedHashMap<>(secrets);
        var smtp = software.amazon.awscdk.services.secretsmanager.Secret.fromSecretNameV2(
                this, "Smtp", config.prefix() + "/" + region + "/ses-smtp");
        workerSecrets.put("DUET_MAIL_SMTP_USER", Secret.fromSecretsManager(smtp, "username"));
        workerSecrets.put("DUET_MAIL_SMTP_PASSWORD", Secret.fromSecretsManager(smtp, "password"));
        // In-flight jobs get the queues' shutdown grace (20 s) after SIGTERM; then they are released.
        container(
                workerTask,
                "worker",
                ContainerImage.fromEcrRepository(foundation.workerRepository(), config.imageTag()),
                workerEnv,
                workerSecrets,
                java.time.Duration.ofSeconds(30));
        Bucket.fromBucketName(this, "Media", MediaStack.bucketName(config, region))
                .grantReadWrite(workerTask.getTaskRole(), "media/*");
        worker = service("Worker", cluster, workerTask, appSecurityGroup, appSubnets, inputs.baselineWorkers());

        var workerScaling = worker.autoScaleTaskCount(EnableScalingProps.builder()
                .minCapacity(inputs.baselineWorkers())
                .maxCapacity(inputs.maxWorkers())
                .build());
        for (String queue : QUEUES) {
            workerScaling.scaleToTrackCustomMetric(
                    "Age-" + queue,
                    TrackCustomMetricProps.builder()
                            .metric(duetMetric("QueueOldestAge", Map.of("Queue", queue), "Maximum"))
                            .targetValue(QUEUE_AGE_TARGET_SECONDS)
                            .build());
        }
        workerScaling.scaleOnMetric(
                "Depth",
                software.amazon.awscdk.services.applicationautoscaling.BasicStepScalingPolicyProps.builder()
                        .metric(duetMetric("QueueDepth", Map.of("Queue", "email"), "Maximum"))
                        .scalingSteps(List.of(
                                ScalingInterval.builder().upper(100).change(0).build(),
                                ScalingInterval.builder().lower(1000).change(2).build(),
                                ScalingInterval.builder().lower(10000).change(5).build()))
                        .build());
        schedule(workerScaling, plans, inputs.baselineWorkers(), inputs.maxWorkers(), false);

        for (var task : List.of(gatewayTask, workerTask)) {
            Nag.accept(
                    task,
                    "AwsSolutions-ECS2",
                    "The environment holds settings only (hostnames, region, bucket); every secret "
                            + "comes from Secrets Manager through the container's secrets");
            Nag.accept(
                    task.obtainExecutionRole(),
                    "AwsSolutions-IAM5",
                    "CDK's execution-role policy: ecr:GetAuthorizationToken "
                            + "only exists on '*', and the imported secrets are named by prefix (Secrets Manager appends a random suffix)");
        }
        Nag.accept(
                workerTask.getTaskRole(),
                "AwsSolutions-IAM5",
                "The worker reads and writes every object under media/ of its "
                        + "region's bucket (originals and variants); the grant is limited to that prefix");
        alarms(region, action, config.alertThresholds());
    }

    private FargateTaskDefinition task(String id, int memoryMb) {
        return FargateTaskDefinition.Builder.create(this, id)
                .cpu(1024)
                .memoryLimitMiB(memoryMb)
                .runtimePlatform(RuntimePlatform.builder()
                        .cpuArchitecture(CpuArchitecture.ARM64)
                        .operatingSystemFamily(OperatingSystemFamily.LINUX)
                        .build())
                .build();
    }

    private void container(
            FargateTaskDefinition task,
            String name,
            ContainerImage image,
            Map<String, String> env,
            Map<String, Secret> secrets,
            java.time.Duration stopTimeout) {
        var logs = LogGroup.Builder.create(this, task.getNode().getId() + "Logs")
                .retention(RetentionDays.THREE_MONTHS)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        task.addContainer(
                name,
                ContainerDefinitionOptions.builder()
                        .image(image)
                        .environment(env)
                        .secrets(secrets)
                        .portMappings(List.of(PortMapping.builder()
                                .containerPort(CONTAINER_PORT)
                                .build()))
                        .logging(LogDriver.awsLogs(AwsLogDriverProps.builder()
                                .logGroup(logs)
                                .streamPrefix(name)
                                .build()))
                        .stopTimeout(Duration.seconds(stopTimeout.toSeconds()))
                        .readonlyRootFilesystem(false)
                        .build());
    }

    private FargateService service(
            String id,
            Cluster cluster,
            FargateTaskDefinition task,
            ISecurityGroup appSecurityGroup,
            SubnetSelection subnets,
            int desired) {
        return FargateService.Builder.create(this, id)
                .cluster(cluster)
                .taskDefinition(task)
                .serviceName(id.toLowerCase(java.util.Locale.ROOT))
                .desiredCount(desired)
                .minHealthyPercent(100)
                .maxHealthyPercent(200)
                .circuitBreaker(DeploymentCircuitBreaker.builder()
                        .enable(true)
                        .rollback(true)
                        .build())
                .vpcSubnets(subnets)
                .securityGroups(List.of(appSecurityGroup))
                .build();
    }

    /** Per promotion: the floor goes up to the plan before its start and back to the baseline after its end. */
    private static void schedule(
            ScalableTaskCount scaling, List<CapacityPlan> plans, int baseline, int max, boolean gateways) {
        for (CapacityPlan plan : plans) {
            String name = plan.promotion().name();
            int floor = gateways ? plan.gateways() : plan.workers();
            scaling.scaleOnSchedule(
                    "Raise-" + name,
                    ScalingSchedule.builder()
                            .schedule(Schedule.at(plan.raiseAt()))
                            .minCapacity(floor)
                            .maxCapacity(max)
                            .build());
            scaling.scaleOnSchedule(
                    "Lower-" + name,
                    ScalingSchedule.builder()
                            .schedule(Schedule.at(plan.lowerAt()))
                            .minCapacity(baseline)
                            .maxCapacity(max)
                            .build());
        }
    }

    private IBucket accessLogBucket(DeploymentConfig config, String region) {
        var logs = Bucket.Builder.create(this, "AlbLogs")
                .bucketName(config.prefix() + "-alb-logs-" + region + "-" + config.account())
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .lifecycleRules(List.of(software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .expiration(Duration.days(90))
                        .build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        Nag.accept(
                logs,
                "AwsSolutions-S1",
                "This is the ALB's access-log bucket; logging it into another bucket would only move the question");
        return logs;
    }

    static Metric duetMetric(String name, Map<String, String> dims, String statistic) {
        return Alarms.metric(METRICS_NAMESPACE, name, dims, statistic, 1);
    }

    private void alarms(String region, SnsAction action, AlertThresholds limits) {
        for (String queue : QUEUES) {
            for (String level : List.of("warning", "critical")) {
                double seconds = limits.value("queue_oldest_age_seconds", level);
                Alarms.above(
                        this,
                        "QueueAge-" + queue + ("critical".equals(level) ? "-critical" : ""),
                        "Queue " + queue + " " + region + " (" + level + "): oldest job older than " + seconds + " s",
                        duetMetric("QueueOldestAge", Map.of("Queue", queue), "Maximum"),
                        seconds,
                        limits.periods("queue_oldest_age_seconds", 1),
                        action);
            }
            Alarms.above(
                    this,
                    "DeadLetters-" + queue,
                    "Queue " + queue + " " + region + ": jobs dead-lettered",
                    duetMetric("QueueDeadLetters", Map.of("Queue", queue), "Sum"),
                    limits.value("dead_letters_increase", "warning") - 1,
                    1,
                    action);
        }
        Alarms.above(
                this,
                "Gateway5xx",
                "Realtime ALB " + region + ": gateway answered 5xx",
                loadBalancer
                        .getMetrics()
                        .httpCodeTarget(
                                software.amazon.awscdk.services.elasticloadbalancingv2.HttpCodeTarget.TARGET_5XX_COUNT,
                                software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                                        .period(Duration.minutes(1))
                                        .statistic("Sum")
                                        .build()),
                50,
                3,
                action);
        Alarms.above(
                this,
                "GatewayLatencyP99",
                "Realtime ALB " + region + ": p99 target response above 30 s (polls are held 25 s)",
                loadBalancer
                        .getMetrics()
                        .targetResponseTime(software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                                .period(Duration.minutes(1))
                                .statistic("p99")
                                .build()),
                30,
                5,
                action);
    }

    public FargateService gateway() {
        return gateway;
    }

    public FargateService worker() {
        return worker;
    }

    public ApplicationTargetGroup targetGroup() {
        return targetGroup;
    }

    public ApplicationLoadBalancer loadBalancer() {
        return loadBalancer;
    }
}
