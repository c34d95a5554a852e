package io.duet.media;

import io.duet.api.testing.Await;
import io.duet.api.testing.People;
import io.micronaut.core.type.Argument;
import io.micronaut.serde.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** The media endpoints over real HTTP (the JDK client, so nothing reshapes the answers). */
final class MediaApi {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final ObjectMapper json;

    MediaApi(int port, ObjectMapper json) {
        this.base = "http://127.0.0.1:" + port;
        this.json = json;
    }

    record User(UUID id, String token) {}

    record Answer(int status, byte[] body, HttpResponse<byte[]> response, Map<String, Object> json) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    /** A verified account made straight in the database (signup has its own tests), with a valid token. */
    static User user() throws Exception {
        People.Person person = People.verified("Media Tester");
        return new User(person.id(), person.token());
    }

    static User of(People.Person person) {
        return new User(person.id(), person.token());
    }

    Answer upload(User user, String kind, byte[] image) throws Exception {
        return upload(user, kind, image, Map.of());
    }

    Answer upload(User user, String kind, byte[] image, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + "/v1/media?kind=" + kind))
                .header("Authorization", "Bearer " + user.token())
                .header("Content-Type", "image/jpeg");
        headers.forEach(request::header);
        return send(request.POST(HttpRequest.BodyPublishers.ofByteArray(image)));
    }

    Answer get(User user, String path) throws Exception {
        return get(user, path, Map.of());
    }

    Answer get(User user, String path, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + user.token());
        headers.forEach(request::header);
        return send(request.GET());
    }

    Answer delete(User user, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + user.token())
                .DELETE());
    }

    /** Polls the status until processing is over. */
    Map<String, Object> awaitDone(User user, Object mediaId) throws Exception {
        return Await.until(
                Duration.ofSeconds(60),
                () -> get(user, "/v1/media/" + mediaId).json(),
                status -> status != null && !"processing".equals(status.get("status")));
    }

    private Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<byte[]> response =
                http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        String type = response.headers().firstValue("Content-Type").orElse("");
        Map<String, Object> parsed = null;
        if (type.contains("json") && response.body().length > 0) {
            parsed = json.readValue(response.body(), Argument.mapOf(String.class, Object.class));
        }
        return new Answer(response.statusCode(), response.body(), response, parsed);
    }
}
