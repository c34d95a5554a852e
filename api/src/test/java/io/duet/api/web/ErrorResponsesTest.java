package io.duet.api.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every error the server can produce, the framework's own included, is problem+json with a stable code
 * and the request id. Uses the JDK client so that nothing on the client side reshapes the answer.
 */
@MicronautTest(transactional = false)
class ErrorResponsesTest {
    @Inject
    EmbeddedServer server;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void givenUnknownPath_whenRequested_thenNotFoundProblem() throws Exception {
        var response = send(HttpRequest.newBuilder(uri("/no/such/path")).GET());

        assertProblem(response, 404, "not-found");
    }

    @Test
    void givenPostOnlyPath_whenDeleted_thenMethodNotAllowedProblem() throws Exception {
        var response = send(HttpRequest.newBuilder(uri("/test/echo")).DELETE());

        assertProblem(response, 405, "method-not-allowed");
    }

    @Test
    void givenTextBody_whenPostedToJsonEndpoint_thenUnsupportedMediaTypeProblem() throws Exception {
        var response = send(HttpRequest.newBuilder(uri("/test/echo"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));

        assertProblem(response, 415, "unsupported-media-type");
    }

    @Test
    void givenMalformedJson_whenPosted_thenMalformedBodyProblem() throws Exception {
        var response = send(json("{\"email\": \"a@b.example\", \"count\": "));

        assertProblem(response, 400, "malformed-body");
    }

    @Test
    void givenWrongType_whenPosted_thenMalformedBodyProblem() throws Exception {
        var response = send(json("{\"email\": \"a@b.example\", \"count\": \"many\"}"));

        assertProblem(response, 400, "malformed-body");
    }

    @Test
    void givenInvalidFields_whenPosted_thenValidationProblemNamesEachField() throws Exception {
        var response = send(json("{\"email\": \"not-an-address\", \"count\": 0}"));

        assertProblem(response, 400, "validation-failed");
        assertTrue(response.body().contains("\"field\":\"count\""), response.body());
        assertTrue(response.body().contains("\"field\":\"email\""), response.body());
    }

    @Test
    void givenBadQueryParameter_whenRequested_thenBadRequestProblem() throws Exception {
        var response = send(HttpRequest.newBuilder(uri("/test/echo?limit=abc")).GET());

        assertProblem(response, 400, "bad-request");
    }

    @Test
    void givenBodyOverTheLimit_whenPosted_thenPayloadTooLargeProblem() throws Exception {
        String huge = "{\"email\": \"" + "a".repeat(2 * 1024 * 1024) + "@b.example\", \"count\": 1}";

        var response = send(json(huge));

        assertProblem(response, 413, "payload-too-large");
    }

    @Test
    void givenCallerRequestId_whenAnswered_thenEchoedInHeaderAndProblem() throws Exception {
        var response = send(HttpRequest.newBuilder(uri("/no/such/path"))
                .header("X-Request-Id", "req-12345678")
                .GET());

        assertEquals(
                "req-12345678", response.headers().firstValue("X-Request-Id").orElseThrow());
        assertTrue(response.body().contains("\"requestId\":\"req-12345678\""), response.body());
    }

    @Test
    void givenNoRequestId_whenAnswered_thenServerAssignsOne() throws Exception {
        var response = send(HttpRequest.newBuilder(uri("/test/echo?limit=5")).GET());

        assertEquals(200, response.statusCode());
        assertTrue(Pattern.matches(
                "[0-9a-f-]{36}", response.headers().firstValue("X-Request-Id").orElseThrow()));
    }

    private HttpRequest.Builder json(String body) {
        return HttpRequest.newBuilder(uri("/test/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + path);
    }

    static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(
                "application/problem+json",
                response.headers().firstValue("Content-Type").orElseThrow(),
                response.body());
        assertTrue(response.body().contains("\"code\":\"" + code + "\""), response.body());
        assertTrue(response.body().contains("\"type\":\"https://duet.dev/problems/" + code + "\""), response.body());
        assertTrue(response.body().contains("\"status\":" + status), response.body());
        assertTrue(response.headers().firstValue("X-Request-Id").isPresent());
    }
}
