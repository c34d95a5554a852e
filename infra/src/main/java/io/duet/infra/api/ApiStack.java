package io.duet.infra.api;

import io.duet.capacity.CapacityModel;
import io.duet.capacity.CapacityPlan;
import io.duet.infra.Alarms;
import io.duet.infra.AlertThresholds;
import io.duet.infra.DeploymentConfig;
import io.duet.infra.Hostnames;
import io.duet.infra.Nag;
import io.duet.infra.UnitSettings;
import io.duet.infra.data.DataStack;
import io.duet.infra.foundation.FoundationStack;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.ApiMapping;
import software.amazon.awscdk.services.apigatewayv2.CfnStage;
import software.amazon.awscdk.services.apigatewayv2.DomainMappingOptions;
import software.amazon.awscdk.services.apigatewayv2.DomainName;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.applicationautoscaling.ScalingSchedule;
import software.amazon.awscdk.services.applicationautoscaling.Schedule;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.certificatemanager.CertificateValidation;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.lambda.AutoScalingOptions;
import software.amazon.awscdk.services.lambda.UtilizationScalingOptions;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.route53.ARecord;
import software.amazon.awscdk.services.route53.HealthCheck;
import software.amazon.awscdk.services.route53.HealthCheckType;
import software.amazon.awscdk.services.route53.HostedZone;
import software.amazon.awscdk.services.route53.HostedZoneAttributes;
import software.amazon.awscdk.services.route53.IHostedZone;
import software.amazon.awscdk.services.route53.RecordTarget;
import software.amazon.awscdk.services.route53.targets.ApiGatewayv2DomainProperties;
import software.constructs.Construct;

/**
 * A region's HTTP API: API Gateway (HTTP API, payload 2.0) in front of the API function (SnapStart) and the
 * signup function (provisioned concurrency, raised by the promotions' scheduled actions), under the
 * latency-routed {@code api.ZONE} and the regional {@code api.REGION.ZONE}. An HTTP API takes no WAF: it is
 * throttled per stage and per route instead.
 */
public final class ApiStack extends Stack {
    /** Requests per second and burst of the whole stage; the signup route gets its own, from the promotions. */
    static final int STAGE_RATE = 5000;

    static final int STAGE_BURST = 2000;
    /** The signup route's rate outside promotions, and its floor in them. */
    static final int SIGNUP_BASE_RATE = 50;

    static final String SIGNUP_ROUTE = "POST /v1/accounts";

    private final JavaFunction api;
    private final JavaFunction signup;
    private final HttpApi httpApi;

    public ApiStack(
            Construct scope,
            String id,
            StackProps props,
            DeploymentConfig config,
            String region,
            FoundationStack foundation,
            DataStack data,
            FunctionCode code,
            CapacityModel model,
            List<CapacityPlan> plans) {
        super(scope, id, props);
        var hosts = new Hostnames(config.zoneName());

        var env = new LinkedHashMap<>(UnitSettings.common(config, region, data));
        // Lambda takes no secret references in its environment: CloudFormation resolves these dynamic
        // references at deploy and Lambda keeps the values encrypted with the region's key.
        env.put(
                "DATASOURCES_DEFAULT_USERNAME",
                data.dbCredentials().secretValueFromJson("username").unsafeUnwrap());
        env.put(
                "DATASOURCES_DEFAULT_PASSWORD",
                data.dbCredentials().secretValueFromJson("password").unsafeUnwrap());
        env.put("DUET_JWT_SECRET", data.jwtSecret().getSecretValue().unsafeUnwrap());
        env.put("DUET_REDIS_URI", data.redisUri().getSecretValue().unsafeUnwrap());
        UnitSettings.otherRegionsRedis(this, config, region)
                .forEach((name, secret) -> env.put(name, secret.getSecretValue().unsafeUnwrap()));
        // One request per instance: RDS Proxy pools across instances (README, "Connection pool").
        env.put("DATASOURCES_DEFAULT_MAXIMUM_POOL_SIZE", "1");
        env.put("DUET_OUTBOX_MODE", "inline");
        env.put("DUET_QUEUES_WORKERS_ENABLED", "false");

        var apiEnv = new LinkedHashMap<>(env);
        apiEnv.put("DUET_HTTP_SERVED_PATHS", "/v1,/health");
        api = new JavaFunction(
                this,
                "Api",
                foundation,
                code.code("api"),
                "io.duet.functions.lambda.ApiHandler::handleRequest",
                2048,
                Duration.seconds(30),
                apiEnv,
                true,
                null);

        var signupEnv = new LinkedHashMap<>(env);
        signupEnv.put("DUET_HTTP_SERVED_PATHS", "/v1/accounts");
        int reserved = model.signupReservedConcurrency(plans);
        signup = new JavaFunction(
                this,
                "Signup",
                foundation,
                code.code("signup"),
                "io.duet.functions.lambda.SignUpHandler::handleRequest",
                model.inputs().functionMemoryMb(),
                Duration.seconds(15),
                signupEnv,
                false,
                reserved);
        scheduleSignupCapacity(model, plans, reserved);

        var zone = zone(config);
        var certificate = Certificate.Builder.create(this, "Certificate")
                .domainName(hosts.api())
                .subjectAlternativeNames(List.of(hosts.api(region)))
                .validation(CertificateValidation.fromDns(zone))
                .build();
        var latencyDomain = DomainName.Builder.create(this, "Domain")
                .domainName(hosts.api())
                .certificate(certificate)
                .build();
        var regionalDomain = DomainName.Builder.create(this, "RegionalDomain")
                .domainName(hosts.api(region))
                .certificate(certificate)
                .build();

        httpApi = HttpApi.Builder.create(this, "HttpApi")
                .apiName(config.prefix() + "-api")
                .defaultIntegration(new HttpLambdaIntegration("Api", api.alias()))
                .createDefaultStage(false)
                .disableExecuteApiEndpoint(true)
                .build();
        httpApi.addRoutes(AddRoutesOptions.builder()
                .path("/v1/accounts")
                .methods(List.of(HttpMethod.POST))
                .integration(new HttpLambdaIntegration("Signup", signup.alias()))
                .build());
        Nag.accept(
                httpApi,
                "AwsSolutions-APIG4",
                "Duet authorizes in the function: it verifies its own HS256 access tokens "
                        + "(DUET_JWT_SECRET), and signup, sign-in and refresh must be reachable without one; an HTTP API JWT authorizer "
                        + "needs an issuer with a JWKS, which Duet's symmetric tokens do not have");
        var stage = HttpStage.Builder.create(this, "Stage")
                .httpApi(httpApi)
                .stageName("$default")
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder()
                        .rateLimit(STAGE_RATE)
                        .burstLimit(STAGE_BURST)
                        .build())
                .domainMapping(
                        DomainMappingOptions.builder().domainName(latencyDomain).build())
                .build();
        ApiMapping.Builder.create(this, "RegionalMapping")
                .api(httpApi)
                .domainName(regionalDomain)
                .stage(stage)
                .build();
        var accessLogs = LogGroup.Builder.create(this, "AccessLogs")
                .retention(RetentionDays.THREE_MONTHS)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        var cfnStage = (CfnStage) stage.getNode().getDefaultChild();
        cfnStage.setAccessLogSettings(CfnStage.AccessLogSettingsProperty.builder()
                .destinationArn(accessLogs.getLogGroupArn())
                .format(
                        "{\"requestId\":\"$context.requestId\",\"routeKey\":\"$context.routeKey\",\"status\":\"$context.status\","
                                + "\"latencyMs\":\"$context.responseLatency\",\"integrationError\":\"$context.integrationErrorMessage\"}")
                .build());
        int signupRate = signupRouteRate(plans);
        cfnStage.setRouteSettings(Map.of(
                SIGNUP_ROUTE,
                CfnStage.RouteSettingsProperty.builder()
                        .throttlingRateLimit(signupRate)
                        .throttlingBurstLimit(signupRate)
                        .build()));

        var healthCheck = HealthCheck.Builder.create(this, "HealthCheck")
                .type(HealthCheckType.HTTPS)
                .fqdn(hosts.api(region))
                .port(443)
                .resourcePath("/health/readiness")
                .requestInterval(Duration.seconds(10))
                .failureThreshold(3)
                .build();
        ARecord.Builder.create(this, "LatencyRecord")
                .zone(zone)
                .recordName(hosts.api())
                .target(RecordTarget.fromAlias(new ApiGatewayv2DomainProperties(
                        latencyDomain.getRegionalDomainName(), latencyDomain.getRegionalHostedZoneId())))
                .region(region)
                .setIdentifier(region)
                .healthCheck(healthCheck)
                .build();
        ARecord.Builder.create(this, "RegionalRecord")
                .zone(zone)
                .recordName(hosts.api(region))
                .target(RecordTarget.fromAlias(new ApiGatewayv2DomainProperties(
                        regionalDomain.getRegionalDomainName(), regionalDomain.getRegionalHostedZoneId())))
                .build();

        alarms(foundation, region, config.alertThresholds());
    }

    /**
     * Provisioned concurrency of the signup alias: the baseline, target tracking at 70 % utilisation up to the
     * reserved concurrency, and per promotion a raise of the floor before its start and a return after its end.
     */
    private void scheduleSignupCapacity(CapacityModel model, List<CapacityPlan> plans, int reserved) {
        int baseline = model.inputs().baselineProvisionedConcurrency();
        var scaling = signup.alias()
                .addAutoScaling(AutoScalingOptions.builder()
                        .minCapacity(baseline)
                        .maxCapacity(reserved)
                        .build());
        scaling.scaleOnUtilization(
                UtilizationScalingOptions.builder().utilizationTarget(0.7).build());
        for (CapacityPlan plan : plans) {
            String name = plan.promotion().name();
            scaling.scaleOnSchedule(
                    "Raise-" + name,
                    ScalingSchedule.builder()
                            .schedule(Schedule.at(plan.raiseAt()))
                            .minCapacity(plan.signupProvisionedConcurrency())
                            .maxCapacity(reserved)
                            .build());
            scaling.scaleOnSchedule(
                    "Lower-" + name,
                    ScalingSchedule.builder()
                            .schedule(Schedule.at(plan.lowerAt()))
                            .minCapacity(baseline)
                            .maxCapacity(reserved)
                            .build());
        }
    }

    /** Twice the largest planned peak, in signups per second, so that a promotion is never throttled at the edge. */
    static int signupRouteRate(List<CapacityPlan> plans) {
        int peak = plans.stream()
                .mapToInt(p -> (int) Math.ceil(p.promotion().signupsPerMinute() / 60.0 * 2))
                .max()
                .orElse(0);
        return Math.max(SIGNUP_BASE_RATE, peak);
    }

    static IHostedZone zone(Construct scope, DeploymentConfig config) {
        return HostedZone.fromHostedZoneAttributes(
                scope,
                "Zone",
                HostedZoneAttributes.builder()
                        .hostedZoneId(config.zoneId())
                        .zoneName(config.zoneName())
                        .build());
    }

    private IHostedZone zone(DeploymentConfig config) {
        return zone(this, config);
    }

    private void alarms(FoundationStack foundation, String region, AlertThresholds limits) {
        var action = new SnsAction(foundation.alarms());
        // Sorted maps: Map.of iterates in an order that changes per JVM, and so would the template.
        var dims = new TreeMap<>(Map.of("ApiId", httpApi.getApiId(), "Stage", "$default"));
        var errors = Alarms.metric("AWS/ApiGateway", "5xx", dims, "Sum", 1);
        var count = Alarms.metric("AWS/ApiGateway", "Count", dims, "Sum", 1);
        var rate = MathExpression.Builder.create()
                .expression("IF(count > 0, 100 * errors / count, 0)")
                .usingMetrics(new TreeMap<>(Map.of("errors", errors, "count", count)))
                .period(Duration.minutes(1))
                .label("5xx %")
                .build();
        double ratio = limits.value("http_5xx_ratio", "critical");
        Alarms.above(
                this,
                "Api5xxRate",
                "HTTP API " + region + ": more than " + 100 * ratio + " % of requests answered 5xx",
                rate,
                100 * ratio,
                limits.periods("http_5xx_ratio", 1),
                action);
        var p99 = Metric.Builder.create()
                .namespace("AWS/ApiGateway")
                .metricName("Latency")
                .dimensionsMap(dims)
                .statistic("p99")
                .period(Duration.minutes(1))
                .build();
        double p99Seconds = limits.value("http_p99_seconds", "warning");
        Alarms.above(
                this,
                "ApiLatencyP99",
                "HTTP API " + region + ": p99 latency above " + p99Seconds + " s",
                p99,
                1000 * p99Seconds,
                limits.periods("http_p99_seconds", 1),
                action);
        for (var fn : List.of(api, signup)) {
            var throttles = fn.function()
                    .metricThrottles(software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                            .period(Duration.minutes(1))
                            .statistic("Sum")
                            .build());
            Alarms.above(
                    this,
                    fn.getNode().getId() + "Throttles",
                    fn.getNode().getId() + " function " + region + ": throttled invocations",
                    throttles,
                    limits.value("lambda_throttles", "warning") - 1,
                    limits.periods("lambda_throttles", 1),
                    action);
        }
        var spillover = Metric.Builder.create()
                .namespace("AWS/Lambda")
                .metricName("ProvisionedConcurrencySpilloverInvocations")
                .dimensionsMap(new TreeMap<>(Map.of(
                        "FunctionName",
                        signup.function().getFunctionName(),
                        "Resource",
                        signup.function().getFunctionName() + ":" + JavaFunction.ALIAS)))
                .statistic("Sum")
                .period(Duration.minutes(1))
                .build();
        Alarms.above(
                this,
                "SignupSpillover",
                "Signup function " + region + ": invocations beyond provisioned concurrency (cold starts)",
                spillover,
                10,
                3,
                action);
    }

    public JavaFunction api() {
        return api;
    }

    public JavaFunction signup() {
        return signup;
    }

    public HttpApi httpApi() {
        return httpApi;
    }
}
