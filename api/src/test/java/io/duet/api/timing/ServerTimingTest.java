package io.duet.api.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.People;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * With {@code duet.http.server-timing} on, every response says how long it spent in SQL, in Redis and elsewhere,
 * and how many statements and commands it sent, counted by the timed clients under the real features.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerTimingTest implements TestPropertyProvider {
    private static final Pattern ENTRY =
            Pattern.compile("(\\w+);dur=([0-9.]+)(?:;desc=\"(?:SQL|Redis|elsewhere)(?: x(\\d+))?\")?");

    @Inject
    EmbeddedServer server;

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public Map<String, String> getProperties() {
        return Map.of("duet.http.server-timing", "true");
    }

    @Test
    void givenASignup_whenAnswered_thenServerTimingCountsItsStatementsAndRedisCommands() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/v1/accounts"))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", UUID.randomUUID().toString())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"timing-" + UUID.randomUUID()
                                + "@example.com\",\"password\":\"a long enough password\",\"displayName\":\"T\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(202, response.statusCode(), response.body());
        Map<String, double[]> timing = parse(response);
        // The account, its verification and the outbox rows, then the commit; the idempotency key in Redis.
        assertTrue(timing.get("db")[1] >= 2, "SQL statements: " + timing.get("db")[1]);
        assertTrue(timing.get("db")[0] > 0, "SQL time");
        assertTrue(timing.get("redis")[1] >= 1, "Redis commands: " + timing.get("redis")[1]);
        assertTrue(timing.get("redis")[0] > 0, "Redis time");
        double parts = timing.get("db")[0] + timing.get("redis")[0] + timing.get("app")[0];
        assertEquals(timing.get("total")[0], parts, 0.05, "db + redis + app is the total");
    }

    @Test
    void givenAReadOfTheCaller_whenAnswered_thenOnlyItsOwnStatementsAreCounted() throws Exception {
        People.Person person = People.verified("Timing");

        HttpResponse<String> first = http.send(me(person), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second = http.send(me(person), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, first.statusCode(), first.body());
        // Each response counts its own request only: the second is not the sum of both.
        assertEquals(parse(first).get("db")[1], parse(second).get("db")[1]);
        assertTrue(parse(second).get("db")[1] >= 1);
    }

    @Test
    void givenARequestThatTouchesNeitherStore_whenAnswered_thenBothAreZero() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/health/liveness")).build(), HttpResponse.BodyHandlers.ofString());

        Map<String, double[]> timing = parse(response);
        assertEquals(0, timing.get("db")[1]);
        assertEquals(0, timing.get("redis")[1]);
        assertEquals(0, timing.get("db")[0]);
    }

    private HttpRequest me(People.Person person) {
        return HttpRequest.newBuilder(uri("/v1/me"))
                .header("Authorization", "Bearer " + person.token())
                .build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + path);
    }

    /** {@code name -> [milliseconds, calls]} of the Server-Timing header; failing when it is missing. */
    private static Map<String, double[]> parse(HttpResponse<String> response) {
        String header = response.headers()
                .firstValue("Server-Timing")
                .orElseThrow(() -> new AssertionError("no Server-Timing header"));
        Map<String, double[]> entries = new HashMap<>();
        for (String part : header.split(",\\s*")) {
            Matcher m = ENTRY.matcher(part);
            assertTrue(m.matches(), "entry '" + part + "' of " + header);
            entries.put(m.group(1), new double[] {
                Double.parseDouble(m.group(2)), m.group(3) == null ? 0 : Double.parseDouble(m.group(3))
            });
        }
        assertEquals(java.util.Set.of("db", "redis", "app", "total"), entries.keySet(), header);
        return entries;
    }
}
