package io.duet.api.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.People;
import io.duet.api.testing.TestDb;
import io.duet.api.testing.TestImages;
import io.duet.api.web.IdempotencyKeyReusedException;
import io.micronaut.context.annotation.Property;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Upload retries with an {@code Idempotency-Key}: the branch that settles two tries racing with one key: each try has stored its original and
 * passed the look for an earlier item, then the second's insert meets the first's row ({@code ON CONFLICT DO
 * NOTHING}). Called on the service directly, so the race is certain, not hoped for (the HTTP test races real
 * requests, and the early look may settle them all); and a retry at the account's upload limit.
 */
@MicronautTest(transactional = false)
@Property(name = "duet.media.dir", value = MediaIdempotencyTest.STORE)
@Property(name = "duet.rate-limits.media-uploads-per-account", value = "1")
class MediaIdempotencyTest {
    static final String STORE = "target/media-idempotency-test";

    @Inject
    MediaService media;

    @Inject
    io.micronaut.runtime.server.EmbeddedServer server;

    @Test
    void givenAnAccountAtItsUploadLimit_whenItRetriesAKeyedUpload_thenTheItemNotA429() throws Exception {
        var person = People.verified("At the limit");
        byte[] jpeg = TestImages.jpeg(TestImages.photo(320, 240, 42), 0.85f);
        String key = UUID.randomUUID().toString();

        var first = upload(person.token(), jpeg, key);
        var retry = upload(person.token(), jpeg, key);
        var another = upload(person.token(), jpeg, UUID.randomUUID().toString());

        assertEquals(202, first.statusCode(), first.body());
        assertEquals(202, retry.statusCode(), "the retry makes nothing, so it is not counted: " + retry.body());
        assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(null));
        assertEquals(
                429, another.statusCode(), "the limit (1 an hour) still holds for a new upload: " + another.body());
    }

    private java.net.http.HttpResponse<String> upload(String token, byte[] image, String key) throws Exception {
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.getURL() + "/v1/media?kind=photo"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "image/jpeg")
                            .header("Idempotency-Key", key)
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(image))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void givenTwoTriesPastTheEarlyLook_whenTheSecondInserts_thenItAnswersTheFirstsItemAndKeepsNothing()
            throws Exception {
        UUID owner = People.verified("Racer").id();
        byte[] jpeg = TestImages.jpeg(TestImages.photo(320, 240, 41), 0.85f);
        ImageHeader header = ImageHeader.read(ImageHeader.Source.of(jpeg)).orElseThrow();
        var key = new MediaService.UploadKey(UUID.randomUUID().toString(), "digest-of-the-first-body");
        var otherBody = new MediaService.UploadKey(key.key(), "digest-of-another-body");

        MediaService.Accepted first = media.accept(owner, "photo", header, file(jpeg), jpeg.length, key);
        long folders = folders();
        MediaService.Accepted second = media.accept(owner, "photo", header, file(jpeg), jpeg.length, key);
        long foldersAfterSecond = folders();
        assertThrows(
                IdempotencyKeyReusedException.class,
                () -> media.accept(owner, "photo", header, file(jpeg), jpeg.length, otherBody));

        assertFalse(first.replayed());
        assertTrue(second.replayed());
        assertEquals(first.item().id(), second.item().id());
        assertEquals(folders, foldersAfterSecond, "the second try's original was removed");
        assertEquals(folders, folders(), "the try with another body left no original behind");
        assertEquals(1, TestDb.count("SELECT count(*) FROM media WHERE owner_id = ?", owner));
        assertEquals(
                1,
                TestDb.count(
                        "SELECT count(*) FROM outbox_job WHERE queue = ? AND payload LIKE ?",
                        ResizeJob.QUEUE,
                        "%" + first.item().id() + "%"),
                "one resize job, the first try's");
    }

    private static Path file(byte[] bytes) throws Exception {
        Path file = Files.createTempFile("duet-race-", ".jpg");
        Files.write(file, bytes);
        return file;
    }

    private static long folders() throws Exception {
        Path media = Path.of(STORE, "media");
        if (!Files.isDirectory(media)) {
            return 0;
        }
        try (var listing = Files.list(media)) {
            return listing.count();
        }
    }
}
