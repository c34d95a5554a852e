package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.infra.services.GatewayTiming;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The ALB agrees with the gateway as the realtime module's sources define it: they are read here, so a change
 * of the cookie name or a timeout there fails this test until infra follows.
 */
class RealtimeLoadBalancerTest {
    private static final Path REALTIME = Fixture.INFRA.resolve("../realtime/src/main/java/io/duet/realtime");

    @Test
    void givenTheGatewaysCookie_whenSynthesized_thenTheTargetGroupIsStickyOnIt() throws IOException {
        String cookie = match(REALTIME.resolve("Node.java"), "AFFINITY_COOKIE = \"([^\"]+)\"");

        for (var region : Fixture.STACKS.regions().values()) {
            Fixture.template(region.services())
                    .hasResourceProperties(
                            "AWS::ElasticLoadBalancingV2::TargetGroup",
                            Map.of(
                                    "TargetGroupAttributes",
                                    Match.arrayWith(List.of(
                                            Map.of("Key", "stickiness.enabled", "Value", "true"),
                                            Map.of("Key", "stickiness.type", "Value", "app_cookie"),
                                            Map.of("Key", "stickiness.app_cookie.cookie_name", "Value", cookie)))));
        }
    }

    @Test
    void givenTheGatewaysTimeouts_whenSynthesized_thenTheIdleTimeoutExceedsThemAndTheDeregistrationDelayCoversTheDrain()
            throws IOException {
        Path config = REALTIME.resolve("RealtimeConfig.java");
        Duration pollHold = defaultOf(config, "pollHold");
        Duration heartbeat = defaultOf(config, "heartbeatInterval");
        Duration heartbeatTimeout = defaultOf(config, "heartbeatTimeout");
        Duration drain = defaultOf(config, "drainGrace");
        assertEquals(
                List.of(pollHold, heartbeat, heartbeatTimeout, drain),
                List.of(
                        GatewayTiming.POLL_HOLD,
                        GatewayTiming.HEARTBEAT_INTERVAL,
                        GatewayTiming.HEARTBEAT_TIMEOUT,
                        GatewayTiming.DRAIN_GRACE));
        Template services = Fixture.template(Fixture.primary().services());

        long idle = Long.parseLong(attribute(
                services,
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "LoadBalancerAttributes",
                "idle_timeout.timeout_seconds"));
        long delay = Long.parseLong(attribute(
                services,
                "AWS::ElasticLoadBalancingV2::TargetGroup",
                "TargetGroupAttributes",
                "deregistration_delay.timeout_seconds"));

        assertTrue(
                idle > pollHold.toSeconds() && idle > heartbeat.toSeconds() && idle > heartbeatTimeout.toSeconds(),
                "idle " + idle);
        assertTrue(delay >= pollHold.plus(drain).toSeconds(), "deregistration delay " + delay);
        assertTrue(delay <= 60, "a longer delay only slows deploys: " + delay);
        services.hasResourceProperties(
                "AWS::ECS::TaskDefinition",
                Map.of(
                        "ContainerDefinitions",
                        List.of(Match.objectLike(
                                Map.of("Name", "gateway", "StopTimeout", GatewayTiming.STOP_TIMEOUT.toSeconds())))));
        assertTrue(GatewayTiming.STOP_TIMEOUT.compareTo(drain) > 0);
    }

    @Test
    void givenBothServices_whenSynthesized_thenDeploysRollBackOnTheCircuitBreakerAndTheyScaleOnTheirLoad() {
        Template services = Fixture.template(Fixture.primary().services());

        for (String name : List.of("gateway", "worker")) {
            services.hasResourceProperties(
                    "AWS::ECS::Service",
                    Map.of(
                            "ServiceName",
                            name,
                            "DeploymentConfiguration",
                            Match.objectLike(
                                    Map.of("DeploymentCircuitBreaker", Map.of("Enable", true, "Rollback", true)))));
        }
        services.hasResourceProperties(
                "AWS::ApplicationAutoScaling::ScalingPolicy",
                Map.of(
                        "PolicyType",
                        "TargetTrackingScaling",
                        "TargetTrackingScalingPolicyConfiguration",
                        Match.objectLike(Map.of(
                                "CustomizedMetricSpecification",
                                Match.objectLike(Map.of("MetricName", "RealtimeConnections", "Namespace", "Duet"))))));
        for (String queue : List.of("email", "media", "account-purge")) {
            services.hasResourceProperties(
                    "AWS::ApplicationAutoScaling::ScalingPolicy",
                    Map.of(
                            "TargetTrackingScalingPolicyConfiguration",
                            Match.objectLike(Map.of(
                                    "CustomizedMetricSpecification",
                                    Match.objectLike(Map.of(
                                            "MetricName",
                                            "QueueOldestAge",
                                            "Dimensions",
                                            List.of(Map.of("Name", "Queue", "Value", queue))))))));
        }
        services.hasResourceProperties(
                "AWS::ApplicationAutoScaling::ScalingPolicy", Map.of("PolicyType", "StepScaling"));
        services.hasResourceProperties(
                "AWS::CloudWatch::Alarm", Map.of("MetricName", "QueueDepth", "Namespace", "Duet"));
    }

    @Test
    void givenTheAlb_whenSynthesized_thenWafGuardsItAndHttpsTerminatesThere() {
        Template services = Fixture.template(Fixture.primary().services());

        services.hasResourceProperties("AWS::WAFv2::WebACL", Map.of("Scope", "REGIONAL"));
        services.resourceCountIs("AWS::WAFv2::WebACLAssociation", 1);
        services.hasResourceProperties(
                "AWS::ElasticLoadBalancingV2::Listener", Map.of("Protocol", "HTTPS", "Port", 443));
    }

    private static String attribute(Template template, String type, String property, String key) {
        @SuppressWarnings("unchecked")
        var props = (Map<String, Object>)
                template.findResources(type).values().iterator().next().get("Properties");
        @SuppressWarnings("unchecked")
        var attributes = (List<Map<String, Object>>) props.get(property);
        return attributes.stream()
                .filter(a -> key.equals(a.get("Key")))
                .map(a -> a.get("Value").toString())
                .findFirst()
                .orElseThrow(() -> new AssertionError(key + " not set on " + type));
    }

    private static Duration defaultOf(Path source, String field) throws IOException {
        String value = match(source, "@Bindable\\(defaultValue = \"(\\d+)s\"\\) @NotNull Duration " + field + "\\b");
        return Duration.ofSeconds(Long.parseLong(value));
    }

    private static String match(Path source, String regex) throws IOException {
        Matcher m = Pattern.compile(regex).matcher(Files.readString(source));
        assertTrue(m.find(), regex + " not found in " + source + ": the realtime module changed; update GatewayTiming");
        return m.group(1);
    }
}
