package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.FunctionProcess;
import io.duet.api.testing.HttpApiEvents;
import io.duet.api.testing.LocalRuntimeApi;
import io.duet.api.testing.Smtp;
import io.duet.api.testing.TestDb;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The deployment packages run as Lambda runs them: the real Runtime Interface Client in a fresh JVM, against a
 * local Runtime API, serving several invocations in a row (one an event the handler cannot take, reported
 * on {@code /invocation/{id}/error}); the signup package's signup and the email worker package delivering
 * its mail; the media and purge worker packages draining their queues; and a function whose init fails
 * reporting it on {@code /init/error}. Each runs from its own package (unpacked as Lambda does), so a
 * package missing a class its function needs fails here. Runs after {@code package} (failsafe).
 */
class RuntimeInterfaceClientIT {
    private static final Duration ANSWER = Duration.ofSeconds(90);

    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    @BeforeAll
    static void migrate() {
        TestDb.migrate();
    }

    @Test
    void givenPackagedApiFunction_whenSeveralInvocationsInARow_thenEachAnsweredThroughTheRuntimeApi() throws Exception {
        String address = FunctionHandlersTest.fresh();
        try (LocalRuntimeApi runtime = new LocalRuntimeApi();
                FunctionProcess function = FunctionProcess.start(
                        "api",
                        "io.duet.functions.lambda.ApiHandler::handleRequest",
                        runtime,
                        FunctionProcess.testEnvironment(),
                        FunctionProcess.LAMBDA_JVM_OPTIONS)) {

            Map<String, Object> signUp = answer(
                    runtime,
                    function,
                    HttpApiEvents.json(
                            "POST",
                            "/v1/accounts",
                            Map.of("content-type", "application/json"),
                            FunctionHandlersTest.signUpBody(address)));
            Map<String, Object> malformed = answer(
                    runtime,
                    function,
                    HttpApiEvents.json(
                            "POST", "/v1/accounts", Map.of("content-type", "application/json"), "{\"email\":"));
            Map<String, Object> wrongPassword = answer(
                    runtime,
                    function,
                    HttpApiEvents.json(
                            "POST",
                            "/v1/sessions",
                            Map.of("content-type", "application/json"),
                            HttpApiEvents.body(Map.of("email", address, "password", "not-the-password-1"))));
            Map<String, Object> unknown =
                    answer(runtime, function, HttpApiEvents.json("GET", "/v1/nothing-here", Map.of(), null));
            String notAnEvent = runtime.invoke("[\"not\", \"an\", \"API Gateway event\"]", Duration.ofSeconds(30));
            LocalRuntimeApi.Answer failed = runtime.await(notAnEvent, ANSWER);
            Map<String, Object> live =
                    answer(runtime, function, HttpApiEvents.json("GET", "/health/liveness", Map.of(), null));

            assertEquals(202, status(signUp), signUp.toString());
            assertEquals("{\"status\":\"verification_sent\"}", signUp.get("body"));
            assertEquals(
                    0,
                    TestDb.count("SELECT count(*) FROM outbox_job WHERE relayed_seq IS NULL"),
                    "relayed before the answer");
            assertProblem(malformed, 400, "malformed-body");
            assertProblem(wrongPassword, 401, null);
            assertProblem(unknown, 404, "not-found");
            assertTrue(failed.error(), "an event the handler cannot take is reported on /error: " + failed.body());
            assertTrue(failed.body().contains("errorType"), failed.body());
            assertEquals(200, status(live), "the function keeps serving after a failed invocation: " + live);
            assertTrue(function.process().isAlive(), "still waiting for the next event");
            assertFalse(function.output().contains(address), "no address in the logs");
        }
    }

    @Test
    void givenSignUpThroughTheSignUpFunction_whenEmailWorkerFunctionIsScheduled_thenTheMailIsSent() throws Exception {
        String address = FunctionHandlersTest.fresh();
        try (LocalRuntimeApi runtime = new LocalRuntimeApi();
                FunctionProcess api = FunctionProcess.start(
                        "signup",
                        "io.duet.functions.lambda.SignUpHandler::handleRequest",
                        runtime,
                        FunctionProcess.testEnvironment(),
                        FunctionProcess.LAMBDA_JVM_OPTIONS)) {
            assertEquals(
                    202,
                    status(answer(
                            runtime,
                            api,
                            HttpApiEvents.json(
                                    "POST",
                                    "/v1/accounts",
                                    Map.of("content-type", "application/json"),
                                    FunctionHandlersTest.signUpBody(address)))));
        }

        try (LocalRuntimeApi runtime = new LocalRuntimeApi();
                FunctionProcess worker = FunctionProcess.start(
                        "email-worker",
                        "io.duet.functions.lambda.EmailWorkerHandler::handleRequest",
                        runtime,
                        FunctionProcess.testEnvironment(),
                        FunctionProcess.LAMBDA_JVM_OPTIONS)) {
            String id = runtime.invoke(LocalRuntimeApi.SCHEDULED, Duration.ofSeconds(40));
            LocalRuntimeApi.Answer answer = runtime.await(id, ANSWER);

            assertFalse(answer.error(), answer.body() + "\n" + worker.output());
            Map<String, Object> result = HttpApiEvents.parse(answer.body());
            assertEquals("email", result.get("queue"));
            assertTrue(((Number) result.get("finished")).intValue() >= 1, answer.body());
            FunctionHandlersTest.code(mailTo(address));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "media-worker, MediaResizeWorkerHandler, media",
        "purge-worker, AccountPurgeWorkerHandler, account-purge"
    })
    void givenWorkerPackage_whenScheduled_thenItDrainsItsQueueThroughTheRuntimeApi(
            String function, String handler, String queue) throws Exception {
        try (LocalRuntimeApi runtime = new LocalRuntimeApi();
                FunctionProcess worker = FunctionProcess.start(
                        function,
                        "io.duet.functions.lambda." + handler + "::handleRequest",
                        runtime,
                        FunctionProcess.testEnvironment(),
                        FunctionProcess.LAMBDA_JVM_OPTIONS)) {
            String id = runtime.invoke(LocalRuntimeApi.SCHEDULED, Duration.ofSeconds(40));

            LocalRuntimeApi.Answer answer = runtime.await(id, ANSWER);

            assertFalse(answer.error(), answer.body() + "\n" + worker.output());
            assertEquals(queue, HttpApiEvents.parse(answer.body()).get("queue"), answer.body());
        }
    }

    @Test
    void givenDatabaseUnreachable_whenFunctionStarts_thenInitErrorReportedAndProcessEnds() throws Exception {
        Map<String, String> settings = FunctionProcess.testEnvironment();
        settings.put("DATASOURCES_DEFAULT_URL", "jdbc:postgresql://127.0.0.1:1/duet");
        try (LocalRuntimeApi runtime = new LocalRuntimeApi();
                FunctionProcess function = FunctionProcess.start(
                        "api",
                        "io.duet.functions.lambda.ApiHandler::handleRequest",
                        runtime,
                        settings,
                        FunctionProcess.LAMBDA_JVM_OPTIONS)) {
            runtime.invoke(HttpApiEvents.json("GET", "/health/liveness", Map.of(), null), Duration.ofSeconds(30));

            LocalRuntimeApi.Answer error = runtime.awaitInitError(ANSWER);

            assertTrue(error.body().contains("errorType"), error.body());
            assertTrue(
                    function.process().waitFor(30, TimeUnit.SECONDS), "the runtime client exits after an init error");
        }
    }

    private static Map<String, Object> answer(LocalRuntimeApi runtime, FunctionProcess function, String event)
            throws Exception {
        String id = runtime.invoke(event, Duration.ofSeconds(30));
        LocalRuntimeApi.Answer answer;
        try {
            answer = runtime.await(id, ANSWER);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + function.output(), e);
        }
        assertFalse(answer.error(), answer.body() + "\n" + function.output());
        return HttpApiEvents.parse(answer.body());
    }

    private static int status(Map<String, Object> response) {
        return ((Number) response.get("statusCode")).intValue();
    }

    @SuppressWarnings("unchecked")
    private static void assertProblem(Map<String, Object> response, int status, String code) {
        assertEquals(status, status(response), response.toString());
        Map<String, Object> headers = (Map<String, Object>) response.get("headers");
        assertEquals(
                "application/problem+json",
                headers.entrySet().stream()
                        .filter(e -> e.getKey().equalsIgnoreCase("content-type"))
                        .map(e -> String.valueOf(e.getValue()))
                        .findFirst()
                        .orElse(""));
        Map<String, Object> problem = HttpApiEvents.parse((String) response.get("body"));
        assertEquals(status, ((Number) problem.get("status")).intValue());
        if (code != null) {
            assertEquals(code, problem.get("code"));
        }
    }

    private static jakarta.mail.internet.MimeMessage mailTo(String address) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            for (var message : MAIL.getReceivedMessages()) {
                if (message.getAllRecipients()[0].toString().equalsIgnoreCase(address)) {
                    return message;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no email to " + address);
    }
}
