package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.FunctionProcess;
import io.duet.api.testing.HttpApiEvents;
import io.duet.api.testing.LocalRuntimeApi;
import io.duet.api.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Micronaut AOT (src/aot/lambda.properties) decides at build time which bean definitions exist, by the build's
 * configuration. A Duet bean that a deployment switches on with a setting must not be decided away there: the
 * analysis keeps every such bean listed, and the packaged function, run as Lambda runs it, creates one when its
 * setting is given at run time. Runs after {@code package} (failsafe).
 */
class MicronautAotIT {
    /** Duet beans whose requirement is an environment the functions never leave (the function environment). */
    private static final Set<String> LEFT_OUT_FOR_GOOD = Set.of("io.duet.api.couple.$CoupleSweep$Definition");

    @BeforeAll
    static void migrate() {
        TestDb.migrate();
    }

    @Test
    void givenTheAnalysis_thenNoDuetBeanIsLeftOutButThoseOfEnvironmentsTheFunctionsNeverRunIn() throws Exception {
        Path log = Path.of("target/aot/jit/generated/logs/serviceloading.log");
        assertTrue(Files.isRegularFile(log), "the AOT analysis ran: " + log.toAbsolutePath());
        Set<String> leftOut = new TreeSet<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("Skipping class io.duet.")) {
                leftOut.add(line.substring("Skipping class ".length(), line.indexOf(' ', "Skipping class ".length())));
            }
        }

        // A new bean switched on by a setting shows up here: list it in serviceloading.force.include.impls.
        assertEquals(LEFT_OUT_FOR_GOOD, leftOut);
    }

    @Test
    void givenThePackagedApiFunction_whenASettingSwitchesTheS3StoreOnAtRunTime_thenTheS3StoreIsMade() throws Exception {
        Map<String, String> env = FunctionProcess.testEnvironment();
        // The S3 store (off in the build's configuration) refuses to be made without a bucket: an init error
        // that names the bucket shows it was made, where a store decided away at build time would leave the
        // function starting on the file store.
        env.put("DUET_MEDIA_STORE", "s3");
        env.put("DUET_MEDIA_S3_REGION", "eu-west-1");
        try (LocalRuntimeApi runtime = new LocalRuntimeApi();
                FunctionProcess function = FunctionProcess.start(
                        "api",
                        "io.duet.functions.lambda.ApiHandler::handleRequest",
                        runtime,
                        env,
                        FunctionProcess.LAMBDA_JVM_OPTIONS)) {
            runtime.invoke(HttpApiEvents.json("GET", "/health/liveness", Map.of(), null), Duration.ofSeconds(30));

            LocalRuntimeApi.Answer error = runtime.awaitInitError(Duration.ofSeconds(90));

            assertTrue(
                    error.body().contains("duet.media.s3.bucket is required")
                            || function.output().contains("duet.media.s3.bucket is required"),
                    error.body() + "\n" + function.output());
        }
    }
}
