package io.duet.api.media;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * Where originals and variants are kept: {@code media/<id>/original} and {@code media/<id>/<variant>}.
 * Keys are built here from ids only, never from request text.
 */
public interface MediaStore {

    static String originalKey(UUID mediaId) {
        return "media/" + mediaId + "/original";
    }

    static String variantKey(UUID mediaId, String variant) {
        return "media/" + mediaId + "/" + variant;
    }

    void put(String key, Path file, String contentType) throws IOException;

    void put(String key, byte[] bytes, String contentType) throws IOException;

    /** The whole object. @throws NoSuchFileException when it does not exist */
    byte[] read(String key) throws IOException;

    /** Removes every object of one media item; nothing to remove is fine. */
    void deleteAll(UUID mediaId) throws IOException;

    /** A time-limited link clients can be redirected to, where the store has one (S3); empty to serve bytes. */
    Optional<URI> link(String key);
}
