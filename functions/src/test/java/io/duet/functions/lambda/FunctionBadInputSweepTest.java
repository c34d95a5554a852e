package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.duet.api.testing.BadInputs;
import io.duet.api.testing.HttpApiEvents;
import io.duet.api.testing.People;
import io.micronaut.serde.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The API as it runs in AWS, in both functions that take requests (the API function and the signup function): every operation of the OpenAPI document the API function carries, sent the same
 * {@link BadInputs} as the HTTP server's sweep, as API Gateway events through {@link ApiHandler} (Micronaut's
 * function adapter reads bodies, forms and parameters its own way, not Netty's). Nothing may answer 5xx, and every
 * 4xx is a problem document. Tries on the request head's size are left out: API Gateway refuses those before the
 * function. Operations outside the function's served paths ({@code /ops}, {@code /metrics}) must answer 404.
 */
class FunctionBadInputSweepTest {
    private static final String OPS_TOKEN = "sweep-ops-token-of-at-least-32-characters-0123456789";
    private static ApiHandler api;
    /** The signup function: the same application serving only {@code /v1/accounts}, the promotion's hot path. */
    private static ApiHandler signUp;

    private static ObjectMapper json;
    private static BadInputs inputs;

    @BeforeAll
    static void start() throws Exception {
        Map<String, Object> properties = new HashMap<>();
        properties.put("duet.jwt.secret", People.TEST_SECRET); // the tokens of People.verified
        properties.put("duet.ops.token", OPS_TOKEN);
        for (String limit : List.of(
                "signup-per-address",
                "resend-per-address",
                "verify-per-address",
                "messages-per-account",
                "media-uploads-per-account")) {
            properties.put("duet.rate-limits." + limit, 100000);
        }
        api = new ApiHandler(TestFunctions.start(properties));
        Map<String, Object> signUpProperties = new HashMap<>(properties);
        signUpProperties.putAll(SignUpHandler.PROPERTIES);
        signUp = new SignUpHandler(TestFunctions.start(signUpProperties));
        json = api.getApplicationContext().getBean(ObjectMapper.class);
        try (InputStream document = ApiHandler.class.getResourceAsStream("/META-INF/swagger/duet-v1.yml")) {
            assertTrue(document != null, "the API function carries its OpenAPI document");
            inputs = new BadInputs(new String(document.readAllBytes(), StandardCharsets.UTF_8), json, false);
        }
    }

    @AfterAll
    static void stop() {
        api.close();
        signUp.close();
    }

    @TestFactory
    Stream<DynamicTest> apiFunctionAnswersBadInputWithA4xxProblem() {
        return everyOperation(api);
    }

    @TestFactory
    Stream<DynamicTest> signUpFunctionAnswersBadInputWithA4xxProblem() {
        return everyOperation(signUp);
    }

    /** Each operation the function serves is swept; each other one must be a 404. */
    private Stream<DynamicTest> everyOperation(ApiHandler function) {
        List<BadInputs.Operation> operations = inputs.operations();
        assertTrue(operations.size() >= 25, "operations in the document: " + operations);
        @SuppressWarnings("unchecked")
        List<String> served = function.getApplicationContext()
                .getProperty("duet.http.served-paths", List.class)
                .orElseThrow();
        return operations.stream()
                .map(operation -> DynamicTest.dynamicTest(operation.id(), () -> {
                    if (served.stream().anyMatch(prefix -> operation.path().startsWith(prefix))) {
                        sweep(function, operation);
                    } else {
                        notServed(function, operation);
                    }
                }));
    }

    /** What the function does not serve (ops, metrics: inside the VPC only) is a 404 problem, whoever asks. */
    private static void notServed(ApiHandler function, BadInputs.Operation operation) {
        String path = operation.path().replaceAll("\\{[^}]+}", "email");
        var answer = FunctionHandlersTest.invoke(
                function, operation.method(), path, Map.of("Authorization", "Bearer " + OPS_TOKEN), null);
        assertEquals(404, answer.getStatusCode(), operation.id() + ": " + answer.getBody());
        assertTrue(answer.getBody().contains("\"code\":\"not-found\""), answer.getBody());
    }

    private void sweep(ApiHandler function, BadInputs.Operation operation) throws Exception {
        List<BadInputs.Try> tries = inputs.tries(operation, caller(operation));
        Assumptions.assumeFalse(tries.isEmpty(), operation.id() + " takes no input");
        BadInputs.Judge judge = new BadInputs.Judge(operation, tries);
        for (BadInputs.Try t : tries) {
            APIGatewayV2HTTPResponse answer = send(function, t);
            String type = answer.getHeaders() == null
                    ? ""
                    : answer.getHeaders().entrySet().stream()
                            .filter(e -> e.getKey().equalsIgnoreCase("Content-Type"))
                            .map(Map.Entry::getValue)
                            .findFirst()
                            .orElse("");
            judge.answered(t, answer.getStatusCode(), type, answer.getBody() == null ? "" : answer.getBody());
        }
        judge.verify();
    }

    private static APIGatewayV2HTTPResponse send(ApiHandler function, BadInputs.Try t) {
        String pathAndQuery = t.path() + (t.query().isEmpty() ? "" : "?" + t.query());
        String event = t.body() == null
                ? HttpApiEvents.json(t.method(), pathAndQuery, t.headers(), null)
                : HttpApiEvents.binaryJson(t.method(), pathAndQuery, t.headers(), t.body());
        return function.handleRequest(LambdaEvents.event(event), TestLambdaContext.withTimeout(Duration.ofSeconds(30)));
    }

    private static BadInputs.Caller caller(BadInputs.Operation operation) throws Exception {
        return BadInputs.Caller.of(operation, OPS_TOKEN, FunctionBadInputSweepTest::pairedThroughTheFunction);
    }

    /** A member of a couple made through the API function (invite, join): its token. */
    private static String pairedThroughTheFunction() throws Exception {
        People.Person a = People.verified("Sweep A");
        People.Person b = People.verified("Sweep B");
        var invite = FunctionHandlersTest.invoke(
                api, "POST", "/v1/couple/invites", FunctionHandlersTest.bearer(a.token()), "{}");
        assertEquals(201, invite.getStatusCode(), invite.getBody());
        String code = (String) HttpApiEvents.parse(invite.getBody()).get("code");
        var joined = FunctionHandlersTest.invoke(
                api,
                "POST",
                "/v1/couple/join",
                FunctionHandlersTest.bearer(b.token()),
                HttpApiEvents.body(Map.of("code", code)));
        assertEquals(201, joined.getStatusCode(), joined.getBody());
        return a.token();
    }
}
