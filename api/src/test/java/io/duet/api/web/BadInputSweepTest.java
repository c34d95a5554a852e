package io.duet.api.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.BadInputs;
import io.duet.api.testing.Couples;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every operation of the OpenAPI document the server serves, sent {@link BadInputs} over HTTP, answers a 4xx
 * problem document (or the HTML page an operation is documented to answer), never a 5xx and never a hang. The
 * operations come from the document, so a new endpoint is swept the day it is added. The caller is a fresh paired
 * couple per operation (so couple endpoints get past "not paired" to their own checks); ops calls use the ops token
 * and a queue of the sweep's own, so nothing it sends can pause or resize a real queue. The API function gets the
 * same tries as events ({@code FunctionBadInputSweepTest}).
 */
@MicronautTest(transactional = false)
@Property(name = "duet.rate-limits.signup-per-ip", value = "100000")
@Property(name = "duet.rate-limits.signup-per-address", value = "100000")
@Property(name = "duet.rate-limits.resend-per-address", value = "100000")
@Property(name = "duet.rate-limits.sign-in-per-ip", value = "100000")
@Property(name = "duet.rate-limits.verify-per-ip", value = "100000")
@Property(name = "duet.rate-limits.verify-per-address", value = "100000")
@Property(name = "duet.rate-limits.messages-per-account", value = "100000")
@Property(name = "duet.rate-limits.media-uploads-per-account", value = "100000")
class BadInputSweepTest {
    private static final String OPS_TOKEN = "test-ops-token";
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private BadInputs inputs;

    @TestFactory
    Stream<DynamicTest> everyOperationAnswersBadInputWithA4xxProblem() throws Exception {
        HttpResponse<String> document = http.send(
                HttpRequest.newBuilder(URI.create(server.getURL() + "/openapi.yml"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(document.statusCode() == 200, "GET /openapi.yml: " + document.statusCode());
        inputs = new BadInputs(document.body(), json, true);
        List<BadInputs.Operation> operations = inputs.operations();
        // The sweep must find the API, not an empty or unreadable document.
        assertTrue(operations.size() >= 25, "operations in the document: " + operations);
        assertTrue(operations.stream().anyMatch(o -> o.id().equals("POST /v1/couple/messages")), operations.toString());
        return operations.stream().map(operation -> DynamicTest.dynamicTest(operation.id(), () -> sweep(operation)));
    }

    private void sweep(BadInputs.Operation operation) throws Exception {
        List<BadInputs.Try> tries = inputs.tries(operation, caller(operation));
        // Only an operation that takes nothing at all (no parameter, body or token) has nothing to break.
        Assumptions.assumeFalse(tries.isEmpty(), operation.id() + " takes no input");
        BadInputs.Judge judge = new BadInputs.Judge(operation, tries);
        for (BadInputs.Try t : tries) {
            send(t, judge);
        }
        judge.verify();
    }

    private void send(BadInputs.Try t, BadInputs.Judge judge) throws Exception {
        String query = t.query().isEmpty() ? "" : "?" + t.query();
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(server.getURL() + t.path() + query))
                    .timeout(ANSWER_WITHIN);
        } catch (IllegalArgumentException notAUri) {
            return; // a path the client itself cannot send, nor could an app
        }
        t.headers().forEach(request::header);
        HttpRequest.BodyPublisher body = t.body() == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(t.body());
        request.method(t.method(), body);
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            judge.unanswered(t, "no answer within " + ANSWER_WITHIN.toSeconds() + " s");
            return;
        } catch (java.io.IOException e) {
            // After refusing a request head the server closes that connection: a pooled connection may be stale. A
            // second try on a new connection tells that apart from a request the server drops.
            try (HttpClient fresh = HttpClient.newHttpClient()) {
                answer = fresh.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (java.io.IOException again) {
                judge.unanswered(t, "no answer: " + again.getMessage());
                return;
            }
        }
        judge.answered(
                t,
                answer.statusCode(),
                answer.headers().firstValue("Content-Type").orElse(""),
                answer.body());
    }

    private BadInputs.Caller caller(BadInputs.Operation operation) throws Exception {
        return BadInputs.Caller.of(
                operation,
                OPS_TOKEN,
                () -> Couples.pair(new Api(server.getPort(), json), "Sweep A", "Sweep B")
                        .a()
                        .token());
    }
}
