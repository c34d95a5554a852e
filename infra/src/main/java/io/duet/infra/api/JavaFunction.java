package io.duet.infra.api;

import io.duet.infra.Nag;
import io.duet.infra.foundation.FoundationStack;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * One of Duet's Java functions with the settings they share: the {@code java25} runtime on arm64 (the
 * packages are pure Java), JSON logs with a retention, the VPC's app subnets and security group, an
 * environment encrypted with the region's key, and an alias {@code live} on the published version that
 * everything invokes. SnapStart and provisioned concurrency exclude each other on a version, so a function
 * gets one of them: {@code snapStart} or, through its alias, provisioned concurrency.
 */
public final class JavaFunction extends Construct {
    public static final String ALIAS = "live";

    private final Function function;
    private final Alias alias;

    public JavaFunction(
            Construct scope,
            String id,
            FoundationStack foundation,
            Code code,
            String handler,
            int memoryMb,
            Duration timeout,
            Map<String, String> environment,
            boolean snapStart,
            Integer reservedConcurrency) {
        super(scope, id);
        var logs = LogGroup.Builder.create(this, "Logs")
                .retention(RetentionDays.THREE_MONTHS)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        var builder = Function.Builder.create(this, "Function")
                .runtime(Runtime.JAVA_25)
                .architecture(Architecture.ARM_64)
                .code(code)
                .handler(handler)
                .memorySize(memoryMb)
                .timeout(timeout)
                .environment(environment)
                .environmentEncryption(foundation.key())
                .loggingFormat(LoggingFormat.JSON)
                .logGroup(logs)
                .vpc(foundation.vpc())
                .vpcSubnets(SubnetSelection.builder()
                        .subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                        .build())
                .securityGroups(List.of(foundation.appSecurityGroup()))
                .reservedConcurrentExecutions(reservedConcurrency);
        if (snapStart) {
            builder.snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
        }
        function = builder.build();
        Nag.accept(
                function,
                "AwsSolutions-IAM4",
                "AWSLambdaBasicExecutionRole and AWSLambdaVPCAccessExecutionRole: AWS's own "
                        + "minimal policies for the function's logs and its VPC network interfaces");
        alias = Alias.Builder.create(this, "Alias")
                .aliasName(ALIAS)
                .version(function.getCurrentVersion())
                .build();
    }

    public Function function() {
        return function;
    }

    public Alias alias() {
        return alias;
    }
}
