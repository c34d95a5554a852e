package io.duet.api.media;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/**
 * One uploaded image and where its processing stands.
 *
 * @param kind {@code avatar} or {@code photo}
 * @param status {@code processing}, {@code ready} or {@code failed}
 * @param format the original's type ({@code jpeg}, {@code png}, {@code webp}), from its magic bytes
 * @param error why it failed: a stable code listed in PROBLEMS.md; null unless failed
 * @param idempotencyKey the upload's {@code Idempotency-Key}, when it came with one
 * @param requestDigest SHA-256 (hex) of the kind and the body of the upload that had that key; null without a key
 */
@MappedEntity("media")
public record Media(
        @Id UUID id,
        UUID ownerId,
        String kind,
        String status,
        String format,
        int width,
        int height,
        long bytes,
        @Nullable String error,
        Instant createdAt,
        @Nullable Instant finishedAt,
        @Nullable String idempotencyKey,
        @Nullable String requestDigest) {

    public static final String PROCESSING = "processing";
    public static final String READY = "ready";
    public static final String FAILED = "failed";

    public boolean isAvatar() {
        return kind.equals("avatar");
    }
}
