package io.duet.api.testing;

import io.micronaut.core.type.Argument;
import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A tiny JSON-over-HTTP client for the account tests (the JDK client: nothing reshapes answers). */
public final class Api {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final ObjectMapper json;

    public Api(int port, ObjectMapper json) {
        this.base = "http://127.0.0.1:" + port;
        this.json = json;
    }

    public record Answer(
            int status, String body, String contentType, Map<String, Object> json, java.net.http.HttpHeaders headers) {}

    public Answer post(String path, Object body) throws Exception {
        return send(request(path, null).POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }

    public Answer post(String path, Object body, String token) throws Exception {
        return send(request(path, token).POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }

    public Answer postRaw(String path, String body, String contentType) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Answer get(String path, String token) throws Exception {
        return send(request(path, token).GET());
    }

    public Answer delete(String path, String token) throws Exception {
        return send(request(path, token).DELETE());
    }

    public Answer put(String path, Object body, String token) throws Exception {
        return send(request(path, token).PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }

    public Answer patch(String path, Object body, String token) throws Exception {
        return send(request(path, token)
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String type = response.headers().firstValue("Content-Type").orElse("");
        Map<String, Object> parsed = null;
        if (type.contains("json") && !response.body().isBlank()) {
            parsed = json.readValue(response.body(), Argument.mapOf(String.class, Object.class));
        }
        return new Answer(response.statusCode(), response.body(), type, parsed, response.headers());
    }
}
