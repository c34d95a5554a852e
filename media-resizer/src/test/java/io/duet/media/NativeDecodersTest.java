package io.duet.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.TestImages;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The native decoders are used only at or above their minimum release, and /health says which
 * releases were found and what the worker uses. With the installed libraries (libjpeg-turbo 2.1.5 and
 * libpng 1.6.39 on Debian 12) the defaults take them; a minimum above them forces the Java path.
 */
class NativeDecodersTest {

    @Test
    void givenLibraryFiles_whenVersionsRead_thenTheRealReleasesAndTheirOrder() {
        assertEquals("1.6.39", NativeVersion.ofLibpngNumber(10639).toString());
        assertEquals(
                Optional.of(NativeVersion.parse("2.1.5")),
                NativeVersion.ofLibjpegTurboFile("\0libjpeg-turbo version 2.1.5 (build 20230203)\0"
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertTrue(NativeVersion.parse("2.1.0").compareTo(NativeVersion.parse("2.0.10")) > 0);
        assertTrue(NativeVersion.parse("1.6").compareTo(NativeVersion.parse("1.6.0")) == 0);
    }

    // No queue workers: a context of this class must not take the media jobs of other test classes.
    @MicronautTest(transactional = false)
    @Property(name = "duet.queues.workers-enabled", value = "false")
    @Nested
    class Defaults {
        @Inject
        EmbeddedServer server;

        @Inject
        ObjectMapper json;

        @Inject
        NativeDecoders decoders;

        @Test
        void givenInstalledLibrariesAboveTheMinimums_whenStarted_thenNativeDecodersAndTheirReleasesInHealth()
                throws Exception {
            Map<String, Object> details = health(server, json);

            assertInstanceOf(TurboJpegCodec.class, decoders.jpeg());
            assertTrue(decoders.png().isPresent());
            String jpegVersion = (String) details.get("libjpegTurboVersion");
            String pngVersion = (String) details.get("libpngVersion");
            assertTrue(NativeVersion.parse(jpegVersion).compareTo(NativeVersion.parse("2.1.0")) >= 0, jpegVersion);
            assertTrue(NativeVersion.parse(pngVersion).compareTo(NativeVersion.parse("1.6.37")) >= 0, pngVersion);
            assertEquals("libjpeg-turbo " + jpegVersion, details.get("jpeg"));
            assertEquals("libpng " + pngVersion, details.get("png"));
        }
    }

    @MicronautTest(transactional = false)
    @Property(name = "duet.media.resizer.libjpeg-turbo-minimum", value = "99.0")
    @Property(name = "duet.media.resizer.libpng-minimum", value = "99.0")
    @Property(name = "duet.queues.workers-enabled", value = "false")
    @Nested
    class MinimumsAboveTheInstalledReleases {
        @Inject
        EmbeddedServer server;

        @Inject
        ObjectMapper json;

        @Inject
        NativeDecoders decoders;

        @Test
        void givenMinimumsAboveTheInstalledReleases_whenStarted_thenJavaDecodersThatStillRender() throws Exception {
            Map<String, Object> details = health(server, json);

            assertInstanceOf(ImageIoJpegCodec.class, decoders.jpeg());
            assertTrue(decoders.png().isEmpty());
            assertEquals(
                    "imageio (libjpeg-turbo " + details.get("libjpegTurboVersion") + " is below the minimum 99.0.0)",
                    details.get("jpeg"));
            assertEquals(
                    "imageio (libpng " + details.get("libpngVersion") + " is below the minimum 99.0.0)",
                    details.get("png"));
            var pipeline = new Pipeline(decoders.jpeg(), decoders.png(), 0.82f, 50_000_000);
            assertEquals("imageio+imageio", pipeline.decoders());
            assertEquals(
                    3,
                    pipeline.render(TestImages.jpeg(TestImages.photo(1200, 900, 5), 0.9f), "photo")
                            .size());
            assertEquals(
                    3,
                    pipeline.render(TestImages.png(TestImages.screenshot(300, 200, 5)), "photo")
                            .size());
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> health(EmbeddedServer server, ObjectMapper json) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            var response = client.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, Object> body = json.readValue(response.body(), Map.class);
            var indicators = (Map<String, Object>) body.get("details");
            var decoders = (Map<String, Object>) indicators.get("decoders");
            assertEquals("UP", decoders.get("status"));
            return (Map<String, Object>) decoders.get("details");
        }
    }
}
