package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The API function runs on SnapStart, the signup function on provisioned concurrency, never both on one version. */
class ApiFunctionsTest {

    @Test
    void givenEveryRegion_whenSynthesized_thenTheApiFunctionHasSnapStartAndItsAliasNoProvisionedConcurrency() {
        for (var region : Fixture.STACKS.regions().values()) {
            Template api = Fixture.template(region.api());

            Map<String, Map<String, Object>> functions = api.findResources(
                    "AWS::Lambda::Function",
                    Map.of("Properties", Map.of("Handler", "io.duet.functions.lambda.ApiHandler::handleRequest")));
            assertEquals(1, functions.size());
            @SuppressWarnings("unchecked")
            var props =
                    (Map<String, Object>) functions.values().iterator().next().get("Properties");
            assertEquals(Map.of("ApplyOn", "PublishedVersions"), props.get("SnapStart"));
            assertEquals("java25", props.get("Runtime"));
            assertEquals(List.of("arm64"), props.get("Architectures"));

            String apiFunctionId = functions.keySet().iterator().next();
            api.hasResourceProperties(
                    "AWS::Lambda::Alias",
                    Map.of(
                            "FunctionName",
                            Map.of("Ref", apiFunctionId),
                            "Name",
                            "live",
                            "ProvisionedConcurrencyConfig",
                            Match.absent()));
            api.hasResourceProperties(
                    "AWS::Lambda::Version",
                    Map.of(
                            "FunctionName",
                            Map.of("Ref", apiFunctionId),
                            "ProvisionedConcurrencyConfig",
                            Match.absent()));
        }
    }

    @Test
    void givenEveryRegion_whenSynthesized_thenOnlyTheSignupAliasIsScaledAndTheSignupFunctionHasNoSnapStart() {
        for (var region : Fixture.STACKS.regions().values()) {
            Template api = Fixture.template(region.api());
            String signupId = onlyKey(api.findResources(
                    "AWS::Lambda::Function",
                    Map.of("Properties", Map.of("Handler", "io.duet.functions.lambda.SignUpHandler::handleRequest"))));
            String apiId = onlyKey(api.findResources(
                    "AWS::Lambda::Function",
                    Map.of("Properties", Map.of("Handler", "io.duet.functions.lambda.ApiHandler::handleRequest"))));

            api.hasResourceProperties(
                    "AWS::Lambda::Function",
                    Map.of(
                            "Handler", "io.duet.functions.lambda.SignUpHandler::handleRequest",
                            "SnapStart", Match.absent(),
                            "ReservedConcurrentExecutions", Match.anyValue()));
            var targets = api.findResources("AWS::ApplicationAutoScaling::ScalableTarget");
            assertEquals(1, targets.size(), "one scalable target: the signup alias");
            String target = targets.values().iterator().next().toString();
            assertTrue(target.contains(aliasOf(api, signupId)), target);
            assertFalse(target.contains(aliasOf(api, apiId)), target);
            assertTrue(target.contains("lambda:function:ProvisionedConcurrency"), target);
        }
    }

    @Test
    void givenTheHttpApi_whenSynthesized_thenSignupHasItsOwnRouteAndEveryOtherPathGoesToTheApiFunction() {
        Template api = Fixture.template(Fixture.primary().api());

        api.hasResourceProperties("AWS::ApiGatewayV2::Route", Map.of("RouteKey", "POST /v1/accounts"));
        api.hasResourceProperties("AWS::ApiGatewayV2::Route", Map.of("RouteKey", "$default"));
        api.hasResourceProperties(
                "AWS::ApiGatewayV2::Api", Map.of("ProtocolType", "HTTP", "DisableExecuteApiEndpoint", true));
        api.hasResourceProperties(
                "AWS::ApiGatewayV2::Stage",
                Map.of(
                        "StageName", "$default",
                        "DefaultRouteSettings", Match.objectLike(Map.of("ThrottlingRateLimit", Match.anyValue())),
                        "AccessLogSettings", Match.objectLike(Map.of("DestinationArn", Match.anyValue()))));
        api.resourceCountIs("AWS::ApiGatewayV2::DomainName", 2);
    }

    private static String aliasOf(Template template, String functionId) {
        return onlyKey(template.findResources(
                "AWS::Lambda::Alias", Map.of("Properties", Map.of("FunctionName", Map.of("Ref", functionId)))));
    }

    private static String onlyKey(Map<String, ?> resources) {
        assertEquals(1, resources.size(), resources.keySet().toString());
        return resources.keySet().iterator().next();
    }
}
