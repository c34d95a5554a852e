package io.duet.api.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/**
 * A person's account; {@code emailNormalized} (trimmed, lower-cased) is unique. {@code avatarMediaId} is
 * the last avatar upload that became ready (set by the media feature).
 */
@MappedEntity("account")
record Account(
        @Id UUID id,
        String email,
        String emailNormalized,
        String passwordHash,
        String displayName,
        String locale,
        @Nullable Instant verifiedAt,
        boolean emailUndeliverable,
        @Nullable Instant takenNoticeAt,
        Instant createdAt,
        @Nullable Instant deletedAt,
        @Nullable UUID avatarMediaId) {

    boolean verified() {
        return verifiedAt != null;
    }
}
