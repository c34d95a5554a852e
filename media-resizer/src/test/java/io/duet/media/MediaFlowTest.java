package io.duet.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.api.testing.Couples;
import io.duet.api.testing.TestDb;
import io.duet.api.testing.TestImages;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Upload to variants end to end: real HTTP, PostgreSQL, Redis queue, worker and file store. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MediaFlowTest implements TestPropertyProvider {
    private static final Path STORE = Path.of("target/media-flow-test").toAbsolutePath();

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    UserEvents events;

    private MediaApi api;

    @Override
    public Map<String, String> getProperties() {
        return Map.of("duet.media.dir", STORE.toString(), "duet.media.max-upload-size", "3MB");
    }

    @BeforeAll
    void client() {
        api = new MediaApi(server.getPort(), json);
    }

    /** A photo goes through: variants, who may read them, avatars, purge. */
    @Nested
    class Accepted {
        @Test
        void givenRotatedPhoneJpeg_whenUploaded_thenReadyVariantsServedWithEtagAndImmutableCaching() throws Exception {
            var owner = MediaApi.user();
            byte[] photo = TestImages.withExif(TestImages.jpeg(TestImages.photo(2000, 1500, 21), 0.85f), 6);

            var accepted = api.upload(owner, "photo", photo);
            assertEquals(202, accepted.status(), accepted.text());
            assertEquals("processing", accepted.json().get("status"));
            var done = api.awaitDone(owner, accepted.json().get("id"));

            assertEquals("ready", done.get("status"), done.toString());
            @SuppressWarnings("unchecked")
            var variants = (Map<String, Map<String, Object>>) done.get("variants");
            assertEquals(1500, variants.get("2048").get("width"));
            assertEquals(2000, variants.get("2048").get("height"));
            assertEquals(810, variants.get("1080").get("width"));
            assertEquals(320, variants.get("320").get("height"));
            var bytes = api.get(owner, (String) variants.get("320").get("url"));
            assertEquals(200, bytes.status());
            assertEquals("image/jpeg", bytes.header("Content-Type"));
            assertTrue(bytes.header("Cache-Control").contains("immutable"), bytes.header("Cache-Control"));
            assertFalse(new String(bytes.body(), StandardCharsets.ISO_8859_1).contains(TestImages.GPS_MARKER));
            var again = api.get(
                    owner, (String) variants.get("320").get("url"), Map.of("If-None-Match", bytes.header("ETag")));
            assertEquals(304, again.status());
        }

        @Test
        void givenPairedCouple_whenOnePostsAPhoto_thenBothGetMediaReadyAndThePartnerMayReadIt() throws Exception {
            var pair = Couples.pair(new Api(server.getPort(), json), "Ada", "Bo");
            var owner = MediaApi.of(pair.a());
            var partner = MediaApi.of(pair.b());

            var accepted = api.upload(owner, "photo", TestImages.jpeg(TestImages.photo(900, 600, 8), 0.85f));
            Object id = accepted.json().get("id");
            api.awaitDone(owner, id);

            assertEquals("ready", api.get(partner, "/v1/media/" + id).json().get("status"));
            assertEquals(200, api.get(partner, "/v1/media/" + id + "/1080").status());
            for (var person : java.util.List.of(pair.a(), pair.b())) {
                var log = Await.until(
                        Duration.ofSeconds(10),
                        () -> events.read(person.id(), 0, 100).events(),
                        list -> list.stream()
                                .anyMatch(event -> event.contains("media.ready") && event.contains(id.toString())));
                assertTrue(log.stream().anyMatch(event -> event.contains("/v1/media/" + id + "/320")), log.toString());
            }
        }

        @Test
        void givenSomeoneElsesMedia_whenStrangerAsks_thenNotFoundForStatusAndBytes() throws Exception {
            var owner = MediaApi.user();
            var stranger = MediaApi.user();
            var accepted = api.upload(owner, "photo", TestImages.jpeg(TestImages.photo(640, 480, 2), 0.85f));
            Object id = accepted.json().get("id");
            api.awaitDone(owner, id);

            var status = api.get(stranger, "/v1/media/" + id);
            var variant = api.get(stranger, "/v1/media/" + id + "/320");

            assertProblem(status, 404, "not-found");
            assertProblem(variant, 404, "not-found");
        }

        @Test
        void givenAvatarUpload_whenReady_thenItIsTheAccountsAvatar() throws Exception {
            var owner = MediaApi.user();

            var accepted = api.upload(owner, "avatar", TestImages.png(TestImages.sticker(700, 500)));
            var done = api.awaitDone(owner, accepted.json().get("id"));

            assertEquals("ready", done.get("status"), done.toString());
            var me = api.get(owner, "/v1/me");
            assertEquals("/v1/media/" + done.get("id") + "/256", me.json().get("avatarUrl"));
            var avatar = api.get(owner, "/v1/media/" + done.get("id") + "/256");
            assertEquals("image/png", avatar.header("Content-Type"));
        }

        @Test
        void givenDeletedAccount_whenPurged_thenItsMediaFilesAreGone() throws Exception {
            var owner = MediaApi.user();
            var accepted = api.upload(owner, "photo", TestImages.jpeg(TestImages.photo(640, 480, 4), 0.85f));
            Object id = accepted.json().get("id");
            api.awaitDone(owner, id);
            assertTrue(Files.exists(STORE.resolve("media/" + id + "/320")));

            assertEquals(202, api.delete(owner, "/v1/me").status());

            Await.until(Duration.ofSeconds(20), () -> Files.exists(STORE.resolve("media/" + id)), exists -> !exists);
        }
    }

    /** An upload retried with its Idempotency-Key (the answer was lost): one item, whatever the tries. */
    @Nested
    class Retried {
        @Test
        void givenAnUploadWithAKey_whenRetriedBeforeAndAfterItIsReady_thenTheSameItemAndNoSecondRow() throws Exception {
            var owner = MediaApi.user();
            byte[] photo = TestImages.jpeg(TestImages.photo(800, 600, 31), 0.85f);
            var key = Map.of("Idempotency-Key", java.util.UUID.randomUUID().toString());

            var first = api.upload(owner, "photo", photo, key);
            var retry = api.upload(owner, "photo", photo, key);
            Object id = first.json().get("id");
            api.awaitDone(owner, id);
            var late = api.upload(owner, "photo", photo, key);

            assertEquals(202, first.status(), first.text());
            assertNull(first.header("Idempotent-Replayed"));
            assertEquals(202, retry.status(), retry.text());
            assertEquals(id, retry.json().get("id"));
            assertEquals("true", retry.header("Idempotent-Replayed"));
            assertEquals(id, late.json().get("id"));
            assertEquals("ready", late.json().get("status"), late.text());
            assertTrue(late.text().contains("/v1/media/" + id + "/320"), late.text());
            assertEquals(1, mediaRows(owner));
        }

        @Test
        void givenAKeyUsedForOneImage_whenAnotherImageOrKindComesWithIt_then422AndNothingStored() throws Exception {
            var owner = MediaApi.user();
            var key = Map.of("Idempotency-Key", java.util.UUID.randomUUID().toString());
            byte[] photo = TestImages.jpeg(TestImages.photo(640, 480, 32), 0.85f);
            assertEquals(202, api.upload(owner, "photo", photo, key).status());

            var otherImage = api.upload(owner, "photo", TestImages.jpeg(TestImages.photo(640, 480, 33), 0.85f), key);
            var otherKind = api.upload(owner, "avatar", photo, key);

            assertProblem(otherImage, 422, "idempotency-key-reused");
            assertProblem(otherKind, 422, "idempotency-key-reused");
            assertEquals(1, mediaRows(owner));
        }

        @Test
        void givenTheSameKeyOnTwoAccounts_whenBothUpload_thenEachGetsItsOwnItem() throws Exception {
            var key = Map.of("Idempotency-Key", java.util.UUID.randomUUID().toString());
            byte[] photo = TestImages.jpeg(TestImages.photo(640, 480, 34), 0.85f);

            var one = api.upload(MediaApi.user(), "photo", photo, key);
            var two = api.upload(MediaApi.user(), "photo", photo, key);

            assertEquals(202, two.status(), two.text());
            assertNull(two.header("Idempotent-Replayed"));
            assertNotEquals(one.json().get("id"), two.json().get("id"));
        }

        @Test
        void givenTriesRacingWithOneKey_whenAllArrive_thenOneItemAndOneStoredOriginal() throws Exception {
            var owner = MediaApi.user();
            byte[] photo = TestImages.jpeg(TestImages.photo(1600, 1200, 35), 0.9f);
            // Three rounds of eight tries released together: a round's tries pass the check for an earlier
            // item at once often enough that the insert's conflict is what settles them.
            for (int round = 0; round < 3; round++) {
                var key = Map.of("Idempotency-Key", java.util.UUID.randomUUID().toString());
                long foldersBefore = mediaFolders();
                var start = new java.util.concurrent.CountDownLatch(1);
                var answers = new java.util.ArrayList<java.util.concurrent.Future<MediaApi.Answer>>();
                try (var tries = java.util.concurrent.Executors.newFixedThreadPool(8)) {
                    for (int i = 0; i < 8; i++) {
                        answers.add(tries.submit(() -> {
                            start.await();
                            return api.upload(owner, "photo", photo, key);
                        }));
                    }
                    start.countDown();
                }

                var ids = new java.util.HashSet<Object>();
                for (var answer : answers) {
                    assertEquals(202, answer.get().status(), answer.get().text());
                    ids.add(answer.get().json().get("id"));
                }
                assertEquals(1, ids.size(), ids.toString());
                assertEquals(round + 1, mediaRows(owner));
                api.awaitDone(owner, ids.iterator().next());
                assertEquals(foldersBefore + 1, mediaFolders(), "the tries that lost the race left no original behind");
            }
        }

        private static long mediaRows(MediaApi.User owner) throws Exception {
            return TestDb.count("SELECT count(*) FROM media WHERE owner_id = ?", owner.id());
        }

        private static long mediaFolders() throws Exception {
            Path folders = STORE.resolve("media");
            if (!Files.isDirectory(folders)) {
                return 0;
            }
            try (var listing = Files.list(folders)) {
                return listing.count();
            }
        }
    }

    /** Uploads refused before any pixel is decoded: type, pixel and size limits, a missing kind. */
    @Nested
    class Refused {
        @Test
        void givenGifOrUnknownBytes_whenUploaded_thenUnsupportedImageType() throws Exception {
            var owner = MediaApi.user();

            var gif = api.upload(
                    owner,
                    "photo",
                    HostileCorpus.entries().get("animated-gif.jpg").bytes());

            assertProblem(gif, 415, "unsupported-image-type");
        }

        @Test
        void givenHeaderOverThePixelLimit_whenUploaded_thenUnprocessableBeforeDecoding() throws Exception {
            var owner = MediaApi.user();

            var bomb = api.upload(
                    owner,
                    "photo",
                    HostileCorpus.entries().get("decompression-bomb.png").bytes());

            assertProblem(bomb, 422, "image-too-large");
        }

        @Test
        void givenMissingKind_whenUploaded_thenValidationProblem() throws Exception {
            var owner = MediaApi.user();

            var answer = api.upload(owner, "banner", TestImages.jpeg(TestImages.photo(64, 64, 1), 0.8f));

            assertProblem(answer, 400, "validation-failed");
        }

        @Test
        void givenDeclaredLengthOverTheLimit_whenHeadersArrive_then413WithoutReadingTheBody() throws Exception {
            var owner = MediaApi.user();

            String response = raw(
                    "POST /v1/media?kind=photo HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + owner.token()
                            + "\r\nContent-Type: image/jpeg\r\nContent-Length: 50000000\r\n\r\n",
                    null);

            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains("payload-too-large"), response);
        }

        @Test
        void givenChunkedBodyPassingTheLimit_whenStreaming_then413() throws Exception {
            var owner = MediaApi.user();
            byte[] start = TestImages.jpeg(TestImages.photo(64, 64, 1), 0.8f);

            String response = raw(
                    "POST /v1/media?kind=photo HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + owner.token()
                            + "\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n",
                    start);

            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains("payload-too-large"), response);
        }
    }

    /** Sends the head, then (when given) a chunked body of 4 MB that begins with {@code start}, and reads the answer. */
    private String raw(String head, byte[] start) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (start != null) {
                byte[] chunk = new byte[64 * 1024];
                System.arraycopy(start, 0, chunk, 0, Math.min(start.length, chunk.length));
                try {
                    for (int i = 0; i < 64; i++) {
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (java.io.IOException closedEarly) {
                    // The server may answer and close before the whole body is sent: that is the point.
                }
            }
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[4096];
            int n;
            // Until the problem document is complete (the connection may stay open).
            while (!(answer.indexOf("\r\n\r\n") > 0 && answer.toString().trim().endsWith("}"))
                    && (n = in.read(buffer)) > 0) {
                answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            return answer.toString();
        }
    }

    private static void assertProblem(MediaApi.Answer answer, int status, String code) {
        assertEquals(status, answer.status(), answer.text());
        assertNotNull(answer.header("Content-Type"));
        assertTrue(answer.header("Content-Type").startsWith("application/problem+json"), answer.header("Content-Type"));
        assertEquals(code, answer.json().get("code"), answer.text());
    }
}
