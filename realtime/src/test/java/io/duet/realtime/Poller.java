package io.duet.realtime;

import io.micronaut.core.type.Argument;
import io.micronaut.serde.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A long-polling client as an app on a network without WebSockets would be (the JDK HTTP client, no cookies). */
final class Poller {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json;
    final String token;
    String sid;
    long position;

    Poller(ObjectMapper json, String token) {
        this.json = json;
        this.token = token;
    }

    static HttpResponse<String> call(String method, int port, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(40))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> open(int port) throws Exception {
        HttpResponse<String> response = call("POST", port, "/v1/realtime/sessions", token, "");
        if (response.statusCode() == 201) {
            sid = (String) json.readValue(response.body(), Argument.mapOf(String.class, Object.class))
                    .get("sid");
        }
        return response;
    }

    /** One poll at {@code port}; the answer's events, the position moved past them. */
    List<String> poll(int port) throws Exception {
        HttpResponse<String> response =
                call("GET", port, "/v1/realtime/sessions/" + sid + "/events?after=" + position, token, null);
        if (response.statusCode() != 200) {
            throw new AssertionError("poll answered " + response.statusCode() + " " + response.body());
        }
        Map<String, Object> body = json.readValue(response.body(), Argument.mapOf(String.class, Object.class));
        List<String> events = new ArrayList<>();
        for (Object event : (List<?>) body.get("events")) {
            String text = json.writeValueAsString(event);
            events.add(text);
            long seq = ((Number) ((Map<?, ?>) event).get("seq")).longValue();
            if (seq > 0) {
                position = seq;
            }
        }
        return events;
    }
}
