package io.duet.infra.data;

import io.duet.infra.Alarms;
import io.duet.infra.DeploymentConfig;
import io.duet.infra.Nag;
import io.duet.infra.foundation.FoundationStack;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.SecretValue;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.ec2.InstanceClass;
import software.amazon.awscdk.services.ec2.InstanceSize;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.elasticache.CfnParameterGroup;
import software.amazon.awscdk.services.elasticache.CfnReplicationGroup;
import software.amazon.awscdk.services.elasticache.CfnSubnetGroup;
import software.amazon.awscdk.services.rds.AuroraPostgresClusterEngineProps;
import software.amazon.awscdk.services.rds.AuroraPostgresEngineVersion;
import software.amazon.awscdk.services.rds.CfnDBCluster;
import software.amazon.awscdk.services.rds.CfnDBInstance;
import software.amazon.awscdk.services.rds.CfnDBSubnetGroup;
import software.amazon.awscdk.services.rds.CfnGlobalCluster;
import software.amazon.awscdk.services.rds.ClusterInstance;
import software.amazon.awscdk.services.rds.Credentials;
import software.amazon.awscdk.services.rds.CredentialsBaseOptions;
import software.amazon.awscdk.services.rds.DatabaseCluster;
import software.amazon.awscdk.services.rds.DatabaseClusterAttributes;
import software.amazon.awscdk.services.rds.DatabaseClusterEngine;
import software.amazon.awscdk.services.rds.DatabaseProxy;
import software.amazon.awscdk.services.rds.IClusterEngine;
import software.amazon.awscdk.services.rds.IDatabaseCluster;
import software.amazon.awscdk.services.rds.ProvisionedClusterInstanceProps;
import software.amazon.awscdk.services.rds.ProxyTarget;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.ReplicaRegion;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * A region's state: its Aurora cluster in the global database (the writer in the primary region, a
 * credential-less secondary elsewhere), the RDS Proxy in front of it, the region's Redis, and the secrets.
 * Secrets shared by every region (JWT key, ops token, database credentials) are created once in the primary
 * region and replicated under the same name; the other regions import them by that name.
 */
public final class DataStack extends Stack {
    public static final String DATABASE = "duet";
    public static final int REDIS_PORT = 6379;
    static final String ENGINE_VERSION = "16.6";
    static final String DEFAULT_PORT_REASON =
            "A non-default port hides nothing from a scan inside the VPC; access is the "
                    + "security group, TLS (the proxy requires it) and credentials from Secrets Manager";

    private final ISecret jwtSecret;
    private final ISecret opsToken;
    private final ISecret dbCredentials;
    private final Secret redisUri;
    private final DatabaseProxy proxy;
    private final CfnReplicationGroup redis;
    private final SecurityGroup dataSecurityGroup;

    public DataStack(
            Construct scope,
            String id,
            StackProps props,
            DeploymentConfig config,
            String region,
            FoundationStack foundation) {
        super(scope, id, props);
        String prefix = config.prefix();
        boolean primary = config.isPrimary(region);
        var vpc = foundation.vpc();
        var isolated = SubnetSelection.builder()
                .subnetType(SubnetType.PRIVATE_ISOLATED)
                .build();

        dataSecurityGroup = SecurityGroup.Builder.create(this, "DataSg")
                .vpc(vpc)
                .allowAllOutbound(false)
                .description("RDS Proxy, Aurora and Redis: from Duet's units here and from the peered regions")
                .build();
        dataSecurityGroup.addIngressRule(foundation.appSecurityGroup(), Port.tcp(5432), "PostgreSQL from Duet's units");
        dataSecurityGroup.addIngressRule(
                foundation.appSecurityGroup(), Port.tcp(REDIS_PORT), "Redis from Duet's units");
        dataSecurityGroup.addIngressRule(dataSecurityGroup, Port.tcp(5432), "RDS Proxy to Aurora");
        dataSecurityGroup.addEgressRule(dataSecurityGroup, Port.tcp(5432), "RDS Proxy to Aurora");
        // The other regions write through this region's proxy (primary) and publish to this Redis (every region)
        // over the peered VPCs: see infra/README.md, "Cross-region writes and events".
        config.regionsInDeployOrder().forEach(other -> {
            String cidr = config.regions().get(other);
            if (!other.equals(region)) {
                if (primary) {
                    dataSecurityGroup.addIngressRule(
                            Peer.ipv4(cidr), Port.tcp(5432), "PostgreSQL writes from " + other);
                }
                dataSecurityGroup.addIngressRule(Peer.ipv4(cidr), Port.tcp(REDIS_PORT), "Redis events from " + other);
            }
        });

        var replicas = config.secondaryRegions().stream()
                .map(r -> ReplicaRegion.builder().region(r).build())
                .toList();
        String dbSecretName = prefix + "/db-credentials";
        if (primary) {
            jwtSecret = sharedSecret(
                    "JwtSecret", prefix + "/jwt-secret", "DUET_JWT_SECRET: HS256 key of access tokens", replicas);
            opsToken =
                    sharedSecret("OpsToken", prefix + "/ops-token", "DUET_OPS_TOKEN: bearer token of /ops", replicas);
        } else {
            jwtSecret = Secret.fromSecretNameV2(this, "JwtSecret", prefix + "/jwt-secret");
            opsToken = Secret.fromSecretNameV2(this, "OpsToken", prefix + "/ops-token");
        }

        var engine = DatabaseClusterEngine.auroraPostgres(AuroraPostgresClusterEngineProps.builder()
                .version(AuroraPostgresEngineVersion.of(ENGINE_VERSION, "16"))
                .build());
        IDatabaseCluster cluster;
        // RDS11 (default port) is accepted below on both kinds of cluster: see the reason there.
        if (primary) {
            var writer = DatabaseCluster.Builder.create(this, "Aurora")
                    .engine(engine)
                    .clusterIdentifier(prefix + "-" + region)
                    .credentials(Credentials.fromGeneratedSecret(
                            "duet",
                            CredentialsBaseOptions.builder()
                                    .secretName(dbSecretName)
                                    .replicaRegions(replicas)
                                    .build()))
                    .defaultDatabaseName(DATABASE)
                    .writer(ClusterInstance.provisioned(
                            "Writer",
                            ProvisionedClusterInstanceProps.builder()
                                    .instanceType(InstanceType.of(InstanceClass.R7G, InstanceSize.LARGE))
                                    .build()))
                    .readers(List.of(ClusterInstance.provisioned(
                            "Reader",
                            ProvisionedClusterInstanceProps.builder()
                                    .instanceType(InstanceType.of(InstanceClass.R7G, InstanceSize.LARGE))
                                    .promotionTier(1)
                                    .build())))
                    .vpc(vpc)
                    .vpcSubnets(isolated)
                    .securityGroups(List.of(dataSecurityGroup))
                    .storageEncrypted(true)
                    .iamAuthentication(true)
                    .deletionProtection(true)
                    .cloudwatchLogsExports(List.of("postgresql"))
                    .backup(software.amazon.awscdk.services.rds.BackupProps.builder()
                            .retention(Duration.days(14))
                            .build())
                    .removalPolicy(RemovalPolicy.SNAPSHOT)
                    .build();
            dbCredentials = writer.getSecret();
            CfnGlobalCluster.Builder.create(this, "GlobalCluster")
                    .globalClusterIdentifier(globalClusterId(config))
                    .sourceDbClusterIdentifier(writer.getClusterIdentifier())
                    .deletionProtection(true)
                    .build();
            Nag.accept(writer, "AwsSolutions-RDS11", DEFAULT_PORT_REASON);
            cluster = writer;
        } else {
            dbCredentials = Secret.fromSecretNameV2(this, "DbCredentials", dbSecretName);
            cluster = secondaryCluster(
                    config, region, engine, vpc.selectSubnets(isolated).getSubnetIds());
        }

        proxy = DatabaseProxy.Builder.create(this, "Proxy")
                .dbProxyName(prefix + "-" + region)
                .proxyTarget(ProxyTarget.fromCluster(cluster))
                .secrets(List.of(dbCredentials))
                .vpc(vpc)
                .vpcSubnets(isolated)
                .securityGroups(List.of(dataSecurityGroup))
                .requireTls(true)
                .build();
        if (primary) {
            CfnOutput.Builder.create(this, "WriterEndpoint")
                    .value(proxy.getEndpoint())
                    .description("The writer every region's units use (cdk.json duet:writerEndpoint)")
                    .build();
        }

        var redisToken = Secret.Builder.create(this, "RedisAuth")
                .secretName(prefix + "/" + region + "/redis-auth")
                .description("Redis AUTH token of " + region)
                .generateSecretString(SecretStringGenerator.builder()
                        .passwordLength(64)
                        .excludePunctuation(true)
                        .build())
                .build();
        var subnets = CfnSubnetGroup.Builder.create(this, "RedisSubnets")
                .description("Duet Redis")
                .subnetIds(vpc.selectSubnets(isolated).getSubnetIds())
                .build();
        // Queues, outbox relay marks and the realtime log live here: evicting a key would lose a job's
        // redelivery state or a user's events, so a full Redis refuses writes (the API keeps answering).
        var parameters = CfnParameterGroup.Builder.create(this, "RedisParameters")
                .cacheParameterGroupFamily("redis7")
                .description("Duet: noeviction")
                .properties(Map.of("maxmemory-policy", "noeviction"))
                .build();
        redis = CfnReplicationGroup.Builder.create(this, "Redis")
                .replicationGroupDescription("Duet " + config.stage() + " " + region)
                .engine("redis")
                .engineVersion("7.1")
                .cacheNodeType("cache.r7g.large")
                .numCacheClusters(2)
                .automaticFailoverEnabled(true)
                .multiAzEnabled(true)
                .transitEncryptionEnabled(true)
                .transitEncryptionMode("required")
                .atRestEncryptionEnabled(true)
                .authToken(redisToken.getSecretValue().unsafeUnwrap())
                .port(REDIS_PORT)
                .cacheParameterGroupName(parameters.getRef())
                .cacheSubnetGroupName(subnets.getRef())
                .securityGroupIds(List.of(dataSecurityGroup.getSecurityGroupId()))
                .snapshotRetentionLimit(7)
                .build();
        // DUET_REDIS_URI carries the password (rediss://:token@host:port/0), so the whole URI is a secret,
        // composed by CloudFormation from the token's dynamic reference: the token never appears in a template.
        // Replicated to every other region: a call served there sends the events of a couple homed here to this
        // Redis (DUET_REDIS_REGIONS_<REGION>, UnitSettings.otherRegionsRedis).
        redisUri = Secret.Builder.create(this, "RedisUri")
                .secretName(redisUriName(config, region))
                .description("DUET_REDIS_URI of " + region)
                .replicaRegions(config.regions().keySet().stream()
                        .filter(other -> !other.equals(region))
                        .map(other -> ReplicaRegion.builder().region(other).build())
                        .toList())
                .secretStringValue(SecretValue.unsafePlainText(
                        "rediss://:" + redisToken.getSecretValue().unsafeUnwrap() + "@"
                                + redis.getAttrPrimaryEndPointAddress() + ":" + REDIS_PORT + "/0"))
                .build();

        Nag.accept(
                redis,
                "AwsSolutions-AEC5",
                "A non-default port hides nothing from a scan inside the VPC; access is the "
                        + "security group, TLS and AUTH");
        Nag.accept(
                this,
                "AwsSolutions-SMG4",
                "Duet's secrets are rotated by the runbook (infra/README.md, Secrets), not by a "
                        + "rotation function: the units read them at start, so a rotation is a new value plus a rolling restart, and the "
                        + "JWT key rotates through DUET_JWT_PREVIOUS_SECRET so tokens already issued stay valid");
        alarms(config, foundation, region, primary, cluster);
    }

    /** The name of a region's {@code DUET_REDIS_URI} secret, in that region and, as a replica, in every other. */
    public static String redisUriName(DeploymentConfig config, String region) {
        return config.prefix() + "/" + region + "/redis-uri";
    }

    /** The global database's fixed name: the secondary regions join it by this name, in deploy order. */
    public static String globalClusterId(DeploymentConfig config) {
        return config.prefix() + "-global";
    }

    private ISecret sharedSecret(String id, String name, String description, List<ReplicaRegion> replicas) {
        return Secret.Builder.create(this, id)
                .secretName(name)
                .description(description)
                .replicaRegions(replicas)
                .generateSecretString(SecretStringGenerator.builder()
                        .passwordLength(64)
                        .excludePunctuation(true)
                        .build())
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    /** A secondary cluster joins the global database and takes its data and users from it: no credentials here. */
    private IDatabaseCluster secondaryCluster(
            DeploymentConfig config, String region, IClusterEngine engine, List<String> subnetIds) {
        String prefix = config.prefix();
        var subnets = CfnDBSubnetGroup.Builder.create(this, "AuroraSubnets")
                .dbSubnetGroupDescription("Duet Aurora secondary")
                .subnetIds(subnetIds)
                .build();
        var cluster = CfnDBCluster.Builder.create(this, "Aurora")
                .dbClusterIdentifier(prefix + "-" + region)
                .engine("aurora-postgresql")
                .engineVersion(ENGINE_VERSION)
                .globalClusterIdentifier(globalClusterId(config))
                .dbSubnetGroupName(subnets.getRef())
                .vpcSecurityGroupIds(List.of(dataSecurityGroup.getSecurityGroupId()))
                .storageEncrypted(true)
                .enableIamDatabaseAuthentication(true)
                .deletionProtection(true)
                .enableCloudwatchLogsExports(List.of("postgresql"))
                .backupRetentionPeriod(14)
                .build();
        cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
        Nag.accept(cluster, "AwsSolutions-RDS11", DEFAULT_PORT_REASON);
        for (String name : List.of("Reader1", "Reader2")) {
            CfnDBInstance.Builder.create(this, name)
                    .dbClusterIdentifier(cluster.getRef())
                    .dbInstanceClass("db.r7g.large")
                    .engine("aurora-postgresql")
                    .publiclyAccessible(false)
                    .build();
        }
        return DatabaseCluster.fromDatabaseClusterAttributes(
                this,
                "AuroraRef",
                DatabaseClusterAttributes.builder()
                        .clusterIdentifier(cluster.getRef())
                        .clusterEndpointAddress(cluster.getAttrEndpointAddress())
                        .readerEndpointAddress(cluster.getAttrReadEndpointAddress())
                        .port(5432)
                        .engine(engine)
                        .securityGroups(List.of(dataSecurityGroup))
                        .build());
    }

    private void alarms(
            DeploymentConfig config,
            FoundationStack foundation,
            String region,
            boolean primary,
            IDatabaseCluster cluster) {
        var action = new SnsAction(foundation.alarms());
        var limits = config.alertThresholds();
        String clusterId = config.prefix() + "-" + region;
        var cpu = Alarms.metric("AWS/RDS", "CPUUtilization", Map.of("DBClusterIdentifier", clusterId), "Maximum", 5);
        double cpuPercent = limits.value("aurora_cpu_percent", "warning");
        Alarms.above(
                this,
                "AuroraCpu",
                "Aurora " + region + ": CPU above " + cpuPercent + " % for " + limits.minutes("aurora_cpu_percent")
                        + " minutes",
                cpu,
                cpuPercent,
                limits.periods("aurora_cpu_percent", 5),
                action);
        // In the primary: how far its in-region reader trails the writer; elsewhere: how far this region trails the
        // primary.
        var lag = primary
                ? Alarms.metric(
                        "AWS/RDS", "AuroraReplicaLagMaximum", Map.of("DBClusterIdentifier", clusterId), "Maximum", 5)
                : Alarms.metric(
                        "AWS/RDS",
                        "AuroraGlobalDBReplicationLag",
                        Map.of("DBClusterIdentifier", clusterId),
                        "Maximum",
                        5);
        double lagSeconds = limits.value("aurora_replica_lag_seconds", "warning");
        Alarms.above(
                this,
                "AuroraReplicaLag",
                "Aurora " + region + ": replica lag above " + lagSeconds + " s",
                lag,
                1000 * lagSeconds,
                limits.periods("aurora_replica_lag_seconds", 5),
                action);

        String group = redis.getRef();
        var memory = Alarms.metric(
                "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", Map.of("ReplicationGroupId", group), "Maximum", 5);
        double memoryRatio = limits.value("redis_memory_used_ratio", "warning");
        Alarms.above(
                this,
                "RedisMemory",
                "Redis " + region + ": memory above " + 100 * memoryRatio + " % (noeviction: writes fail at 100 %)",
                memory,
                100 * memoryRatio,
                limits.periods("redis_memory_used_ratio", 5),
                action);
        var connections =
                Alarms.metric("AWS/ElastiCache", "CurrConnections", Map.of("ReplicationGroupId", group), "Maximum", 5);
        Alarms.above(
                this,
                "RedisConnections",
                "Redis " + region + ": more than 20,000 connections (the limit is 65,000)",
                connections,
                20000,
                2,
                action);
    }

    public ISecret jwtSecret() {
        return jwtSecret;
    }

    public ISecret opsToken() {
        return opsToken;
    }

    public ISecret dbCredentials() {
        return dbCredentials;
    }

    public Secret redisUri() {
        return redisUri;
    }

    public DatabaseProxy proxy() {
        return proxy;
    }

    public CfnReplicationGroup redis() {
        return redis;
    }
}
