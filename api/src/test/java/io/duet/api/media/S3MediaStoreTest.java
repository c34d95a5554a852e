package io.duet.api.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.duet.api.testing.FreePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 store against S3Mock, a real S3-compatible server (HTTP, signatures, XML), started from its
 * jar as a separate process so its Spring Boot stays off this classpath.
 */
class S3MediaStoreTest {
    private static Process server;
    private static S3MediaStore store;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startS3() throws Exception {
        int port = FreePort.get();
        Path jar = Path.of("target/s3mock/s3mock.jar");
        Path data = Files.createTempDirectory("s3mock-");
        server = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-jar",
                        jar.toString(),
                        "--http.port=" + port,
                        "--server.port=" + FreePort.get(),
                        "--com.adobe.testing.s3mock.store.initial-buckets=duet-media",
                        "--com.adobe.testing.s3mock.store.root=" + data)
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target/s3mock.log").toFile())
                .start();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        awaitUp(endpoint);
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("duet", "duet-test-key"));
        var pathStyle = S3Configuration.builder().pathStyleAccessEnabled(true).build();
        S3Client client = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.EU_CENTRAL_1)
                .credentialsProvider(credentials)
                .serviceConfiguration(pathStyle)
                .build();
        S3Presigner presigner = S3Presigner.builder()
                .endpointOverride(endpoint)
                .region(Region.EU_CENTRAL_1)
                .credentialsProvider(credentials)
                .serviceConfiguration(pathStyle)
                .build();
        store = new S3MediaStore(client, presigner, "duet-media", "test/", Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopS3() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.destroy();
        }
    }

    @Test
    void givenStoredVariant_whenReadAndLinked_thenSameBytesBothWays() throws Exception {
        UUID id = UUID.randomUUID();
        byte[] bytes = "not really a jpeg, but bytes".getBytes();

        store.put(MediaStore.variantKey(id, "320"), bytes, "image/jpeg");

        assertArrayEquals(bytes, store.read(MediaStore.variantKey(id, "320")));
        var linked = http.send(
                HttpRequest.newBuilder(
                                store.link(MediaStore.variantKey(id, "320")).orElseThrow())
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, linked.statusCode());
        assertArrayEquals(bytes, linked.body());
    }

    @Test
    void givenOriginalFromFile_whenStored_thenReadable() throws Exception {
        UUID id = UUID.randomUUID();
        Path file = Files.createTempFile("upload-", ".bin");
        Files.write(file, new byte[] {1, 2, 3, 4});

        store.put(MediaStore.originalKey(id), file, "image/png");

        assertArrayEquals(new byte[] {1, 2, 3, 4}, store.read(MediaStore.originalKey(id)));
    }

    @Test
    void givenMediaWithVariants_whenDeletedAll_thenNothingOfItRemains() throws Exception {
        UUID id = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        store.put(MediaStore.originalKey(id), new byte[] {1}, "image/jpeg");
        store.put(MediaStore.variantKey(id, "64"), new byte[] {2}, "image/jpeg");
        store.put(MediaStore.originalKey(other), new byte[] {3}, "image/jpeg");

        store.deleteAll(id);

        assertThrows(NoSuchFileException.class, () -> store.read(MediaStore.originalKey(id)));
        assertThrows(NoSuchFileException.class, () -> store.read(MediaStore.variantKey(id, "64")));
        assertArrayEquals(new byte[] {3}, store.read(MediaStore.originalKey(other)));
    }

    private static void awaitUp(URI endpoint) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                http.send(
                        HttpRequest.newBuilder(endpoint)
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Mock did not start; see api/target/s3mock.log", notYet);
                }
                Thread.sleep(250);
            }
        }
    }
}
