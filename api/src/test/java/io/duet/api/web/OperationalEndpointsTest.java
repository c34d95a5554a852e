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
import org.junit.jupiter.api.Test;

/** Health, metrics, the OpenAPI document, Swagger UI and the ops page answer where DESIGN.md says. */
@MicronautTest(transactional = false)
class OperationalEndpointsTest {
    @Inject
    EmbeddedServer server;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void givenRunningNode_whenLivenessAsked_thenUp() throws Exception {
        var response = get("/health/liveness");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"status\":\"UP\""), response.body());
        assertTrue(
                response.headers().firstValue("Server-Timing").isEmpty(),
                "Server-Timing is off unless duet.http.server-timing is set");
    }

    @Test
    void givenPostgresAndRedisUp_whenReadinessAsked_thenBothReportedUp() throws Exception {
        var response = get("/health/readiness");

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"jdbc\""), response.body());
        assertTrue(response.body().contains("\"redis\":{\"name\":\"duet\",\"status\":\"UP\""), response.body());
    }

    @Test
    void givenTraffic_whenMetricsScraped_thenPrometheusTextWithLatencyHistogramsPoolAndJvm() throws Exception {
        get("/health/liveness");

        var response = get("/metrics");

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
        String body = response.body();
        assertTrue(body.contains("http_server_requests_seconds_bucket{"), "HTTP latency histogram");
        assertTrue(body.contains("hikaricp_connections_active"), "HikariCP pool");
        assertTrue(body.contains("jvm_memory_used_bytes"), "JVM memory");
        assertTrue(body.contains("duet_outbox_backlog"), "outbox backlog");
    }

    @Test
    void givenApi_whenOpenApiRequested_thenGeneratedDocumentServed() throws Exception {
        var response = get("/openapi.yml");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("openapi: 3"), response.body().substring(0, 40));
        assertTrue(response.body().contains("/ops/queues/{name}/concurrency"));
    }

    @Test
    void givenApi_whenSwaggerUiRequested_thenBundledPageServed() throws Exception {
        var response = get("/swagger-ui/index.html");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("swagger"), "Swagger UI page");
    }

    @Test
    void givenBrowser_whenOpsPageRequested_thenServedWithoutToken() throws Exception {
        var response = get("/ops");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("Duet ops"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
