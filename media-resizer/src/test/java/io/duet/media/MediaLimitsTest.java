package io.duet.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.TestImages;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Per account: an upload rate (429 rate-limited with Retry-After) and a storage quota on the
 * originals it holds (409 storage-quota-exceeded); neither touches another account.
 */
@MicronautTest(transactional = false)
@Property(name = "duet.rate-limits.media-uploads-per-account", value = "3")
@Property(name = "duet.media.storage-quota", value = "200KB")
// Intake limits only: no queue workers, so this context never takes another test class's media jobs.
@Property(name = "duet.queues.workers-enabled", value = "false")
class MediaLimitsTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Test
    void givenOneAccountUploadingFast_whenOverTheUploadRate_thenRateLimited() throws Exception {
        MediaApi api = new MediaApi(server.getPort(), json);
        var owner = MediaApi.user();
        byte[] small = TestImages.jpeg(TestImages.photo(200, 150, 1), 0.8f);
        for (int i = 0; i < 3; i++) {
            assertEquals(202, api.upload(owner, "photo", small).status());
        }

        var limited = api.upload(owner, "photo", small);

        assertEquals(429, limited.status(), limited.text());
        assertEquals("application/problem+json", limited.header("Content-Type"));
        assertEquals("rate-limited", limited.json().get("code"));
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 3600, "Retry-After " + retryAfter);
        assertEquals(202, api.upload(MediaApi.user(), "photo", small).status(), "another account is not affected");
    }

    @Test
    void givenAnAccountNearItsQuota_whenAnUploadWouldPassIt_thenStorageQuotaExceeded() throws Exception {
        MediaApi api = new MediaApi(server.getPort(), json);
        var owner = MediaApi.user();
        byte[] photo = TestImages.jpeg(TestImages.photo(600, 450, 2), 0.95f);
        assertTrue(photo.length > 100 * 1024 && photo.length < 200 * 1024, "photo of " + photo.length + " bytes");
        assertEquals(202, api.upload(owner, "photo", photo).status());

        var refused = api.upload(owner, "photo", photo);

        assertEquals(409, refused.status(), refused.text());
        assertEquals("application/problem+json", refused.header("Content-Type"));
        assertEquals("storage-quota-exceeded", refused.json().get("code"));
        assertEquals(202, api.upload(MediaApi.user(), "photo", photo).status(), "another account is not affected");
    }
}
