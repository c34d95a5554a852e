package io.duet.services.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.ArtifactContents;
import io.duet.api.testing.People;
import io.duet.api.testing.ServiceProcess;
import io.duet.api.testing.ServiceRecipe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway service on its own ({@code java -jar}, configured by environment only): health,
 * metrics, no API unless told, and a drain on SIGTERM that tells connected clients to reconnect
 * elsewhere. Real PostgreSQL, Redis and a real WebSocket client.
 */
class GatewayServiceIT {
    private static final Path JAR = Path.of(System.getProperty("duet.service.jar"));
    private static final String OPS_TOKEN = "ops-token-for-the-gateway-service-test-0123";

    @Test
    void givenTheJar_whenStarted_thenHealthMetricsAndNoApi_andSigtermTellsClientsToReconnect() throws Exception {
        try (ServiceProcess gateway = ServiceProcess.start(
                JAR,
                Map.of(
                        "DUET_JWT_SECRET",
                        People.TEST_SECRET,
                        "DUET_OPS_TOKEN",
                        OPS_TOKEN,
                        "DUET_REALTIME_DRAIN_GRACE",
                        "2s"))) {
            gateway.awaitLive(Duration.ofSeconds(90));

            assertEquals(200, gateway.get("/health/readiness").statusCode(), gateway.output());
            assertTrue(gateway.get("/metrics").body().contains("duet_realtime_connections"));
            assertEquals(404, gateway.get("/v1/me").statusCode(), "the API is not served by default");
            assertEquals(
                    404,
                    gateway.get("/ops/queues", Map.of("Authorization", "Bearer " + OPS_TOKEN))
                            .statusCode());
            People.Person person = People.verified("Ada");
            Client client = new Client();
            HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + gateway.port + "/v1/realtime?token=" + person.token()),
                            client)
                    .get(10, TimeUnit.SECONDS);
            Thread.sleep(500);

            assertTrue(gateway.stop(Duration.ofSeconds(30)), "exited after SIGTERM:\n" + gateway.output());

            String closed = client.closed.get(5, TimeUnit.SECONDS);
            assertTrue(closed.startsWith("4001"), closed);
            assertTrue(client.frames.toString().contains("\"type\":\"reconnect\""), client.frames.toString());
            assertTrue(gateway.output().contains("realtime node draining"), gateway.output());
        }
    }

    @Test
    void givenServedPathsWithTheApi_whenStarted_thenGatewayNodesAnswerApiCalls() throws Exception {
        try (ServiceProcess gateway = ServiceProcess.start(
                JAR, Map.of("DUET_JWT_SECRET", People.TEST_SECRET, "DUET_HTTP_SERVED_PATHS", "/health,/metrics,/v1"))) {
            gateway.awaitLive(Duration.ofSeconds(90));
            People.Person person = People.verified("Ada");

            assertEquals(
                    200,
                    gateway.get("/v1/me", Map.of("Authorization", "Bearer " + person.token()))
                            .statusCode());
        }
    }

    @Test
    void givenTheContainerRecipe_thenItRunsThisJarAsNonRootOnTheServicesPort() throws Exception {
        ServiceRecipe.assertRuns(
                Path.of(System.getProperty("duet.service.dockerfile")), JAR, "io.duet.services.gateway.GatewayService");
    }

    @Test
    void givenTheArtifact_thenItHoldsTheGatewayAndNothingOfOtherUnitsOrTests() throws Exception {
        ArtifactContents contents = ArtifactContents.ofService(JAR);

        contents.assertClean("gateway service");
        contents.assertHoldsNoneOf(
                "gateway service",
                List.of(
                        "duet-media-resizer",
                        "duet-functions",
                        "duet-local",
                        "thumbnailator",
                        "aws-lambda-java",
                        "micronaut-function-aws"),
                List.of("io/duet/media/", "io/duet/functions/", "io/duet/services/worker/"));
        assertTrue(contents.holdsLibrary("duet-realtime"));
    }

    private static final class Client implements WebSocket.Listener {
        final StringBuffer frames = new StringBuffer();
        final CompletableFuture<String> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            frames.append(data).append('\n');
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            closed.complete(status + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.complete("error " + error);
        }
    }
}
