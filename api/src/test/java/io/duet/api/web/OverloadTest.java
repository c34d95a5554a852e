package io.duet.api.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.duet.api.testing.Await;
import io.duet.api.testing.TestDb;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/** Overload fails fast: no connection within the pool wait, or a statement over its timeout, is a 503 + Retry-After. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverloadTest implements TestPropertyProvider {
    @Inject
    EmbeddedServer server;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(UnexpectedErrorHandler.class)).addAppender(logs);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(
                "datasources.default.maximum-pool-size", "2",
                "datasources.default.minimum-idle", "1",
                "datasources.default.connection-timeout", "500",
                "datasources.default.data-source-properties.options", "-c statement_timeout=1500 -c lock_timeout=500",
                "duet.queues.workers-enabled", "false",
                "duet.outbox.mode", "inline");
    }

    /** The sessions of the slow requests, as PostgreSQL sees them. */
    private static final String SLEEPING =
            "FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'"
                    + " AND datname = current_database() AND pid <> pg_backend_pid()";

    @Test
    void givenPoolExhausted_whenAnotherRequestNeedsAConnection_thenFast503WithRetryAfter() throws Exception {
        // Flyway needs two connections at start-up, so the pool has two and two slow requests hold them (PostgreSQL
        // shows both asleep before the third request is sent).
        CompletableFuture<HttpResponse<String>> holder =
                http.sendAsync(get("/test/slow?seconds=1.2"), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> second =
                http.sendAsync(get("/test/slow?seconds=1.2"), HttpResponse.BodyHandlers.ofString());
        Await.until(Duration.ofSeconds(5), () -> TestDb.count("SELECT count(*) " + SLEEPING), n -> n >= 2);

        long started = System.nanoTime();
        HttpResponse<String> shed = http.send(get("/test/slow?seconds=0"), HttpResponse.BodyHandlers.ofString());
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        ErrorResponsesTest.assertProblem(shed, 503, "service-overloaded");
        assertEquals("2", shed.headers().firstValue("Retry-After").orElseThrow());
        String requestId = shed.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(
                logs.list.stream()
                        .anyMatch(event ->
                                requestId.equals(event.getMDCPropertyMap().get("requestId"))),
                "the log line of the shed request carries its request id");
        assertTrue(tookMs < 1_500, "shed after " + tookMs + " ms");
        assertEquals(200, holder.get().statusCode());
        assertEquals(200, second.get().statusCode());
    }

    @Test
    void givenStatementOverTimeout_whenRequested_then503InsteadOfHanging() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = http.send(get("/test/slow?seconds=10"), HttpResponse.BodyHandlers.ofString());
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        ErrorResponsesTest.assertProblem(response, 503, "service-overloaded");
        assertTrue(tookMs < 4_000, "answered after " + tookMs + " ms");
    }

    @Test
    void givenTheDatabaseEndsTheConnection_whenMidRequest_then503NotA500() throws Exception {
        CompletableFuture<HttpResponse<String>> request =
                http.sendAsync(get("/test/slow?seconds=1.2"), HttpResponse.BodyHandlers.ofString());
        Await.until(Duration.ofSeconds(5), () -> TestDb.count("SELECT count(*) " + SLEEPING), n -> n >= 1);

        // What a PostgreSQL restart or failover does to the connections it had.
        TestDb.execute("SELECT pg_terminate_backend(pid) " + SLEEPING);

        HttpResponse<String> response = request.get();
        ErrorResponsesTest.assertProblem(response, 503, "service-overloaded");
        assertTrue(response.headers().firstValue("Retry-After").isPresent(), "Retry-After");
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
                .GET()
                .build();
    }
}
