package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.Smtp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API function is what the internet reaches through API Gateway: the API and its health, nothing of
 * what ops use (metrics, the ops page and API, the API description, the dev inbox), and health without
 * details. Those are served by the services inside the VPC.
 */
class PublicSurfaceTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    static ApiHandler api;

    @BeforeAll
    static void start() {
        api = new ApiHandler(TestFunctions.start(Map.of("duet.ops.token", "o".repeat(40))));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void givenTheApiFunction_whenOpsOrMetricsPathsAreCalled_thenNotFoundAsAnyUnknownRoute() {
        for (String path :
                List.of("/metrics", "/ops", "/ops/queues", "/openapi.yml", "/swagger-ui/index.html", "/dev/mail")) {
            APIGatewayV2HTTPResponse response = FunctionHandlersTest.invoke(
                    api, "GET", path, Map.of("Authorization", "Bearer " + "o".repeat(40)), null);

            assertEquals(404, response.getStatusCode(), path);
            assertEquals("application/problem+json", FunctionHandlersTest.contentType(response), path);
        }
    }

    @Test
    void givenTheApiFunction_whenHealthIsAsked_thenUpWithoutDetails() {
        APIGatewayV2HTTPResponse response =
                FunctionHandlersTest.invoke(api, "GET", "/health/readiness", Map.of(), null);

        assertEquals(200, response.getStatusCode(), response.getBody());
        assertFalse(response.getBody().contains("details"), response.getBody());
    }
}
