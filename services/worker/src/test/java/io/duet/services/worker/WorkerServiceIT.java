package io.duet.services.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.ArtifactContents;
import io.duet.api.testing.ServiceProcess;
import io.duet.api.testing.ServiceRecipe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged worker service on its own ({@code java -jar}, configured by environment only): health,
 * metrics and ops, no API, the queues chosen by configuration, and a clean stop on SIGTERM. Real
 * PostgreSQL and Redis.
 */
class WorkerServiceIT {
    private static final Path JAR = Path.of(System.getProperty("duet.service.jar"));
    private static final String OPS_TOKEN = "ops-token-for-the-worker-service-test-01234";
    private static final Map<String, String> SETTINGS = Map.of(
            "DUET_JWT_SECRET", "worker-service-test-secret-0123456789-abcdef",
            "DUET_OPS_TOKEN", OPS_TOKEN,
            "DUET_QUEUES_RUN", "email,account-purge",
            "DUET_QUEUES_DEFAULTS_SHUTDOWN_GRACE", "2s");

    @Test
    void givenTheJar_whenStarted_thenHealthMetricsOpsAndItsQueuesOnly_andSigtermStopsIt() throws Exception {
        try (ServiceProcess worker = ServiceProcess.start(JAR, SETTINGS)) {
            worker.awaitLive(Duration.ofSeconds(90));

            assertEquals(200, worker.get("/health/readiness").statusCode(), worker.output());
            assertTrue(worker.get("/metrics").body().contains("duet_queue_depth{queue=\"email\""));
            assertEquals(404, worker.get("/v1/accounts").statusCode(), "no API on a worker");
            String queues = worker.get("/ops/queues", Map.of("Authorization", "Bearer " + OPS_TOKEN))
                    .body();
            assertTrue(queues.contains("\"email\"") && queues.contains("\"account-purge\""), queues);
            assertFalse(queues.contains("\"media\""), "a queue it was not told to run: " + queues);

            assertTrue(worker.stop(Duration.ofSeconds(30)), "exited after SIGTERM:\n" + worker.output());

            assertTrue(worker.output().contains("queue workers started"), worker.output());
            assertFalse(worker.output().contains("ERROR"), worker.output());
        }
    }

    @Test
    void givenTheArtifact_thenItHoldsTheWorkersAndNothingOfOtherUnitsOrTests() throws Exception {
        ArtifactContents contents = ArtifactContents.ofService(JAR);

        contents.assertClean("worker service");
        contents.assertHoldsNoneOf(
                "worker service",
                List.of("duet-realtime", "duet-functions", "duet-local", "aws-lambda-java", "micronaut-function-aws"),
                List.of("io/duet/realtime/", "io/duet/functions/", "io/duet/services/gateway/"));
        assertTrue(contents.holdsLibrary("duet-media-resizer"));
    }

    @Test
    void givenTheContainerRecipe_thenItRunsThisJarAsNonRootOnTheServicesPort() throws Exception {
        ServiceRecipe.assertRuns(
                Path.of(System.getProperty("duet.service.dockerfile")), JAR, "io.duet.services.worker.WorkerService");
    }
}
