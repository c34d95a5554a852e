package io.duet.api.session;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/** One refresh token; {@code familyId} is the sign-in (session) it belongs to. */
@MappedEntity("refresh_token")
record RefreshToken(
        @Id UUID id,
        UUID familyId,
        UUID accountId,
        byte[] tokenHash,
        Instant createdAt,
        Instant expiresAt,
        @Nullable Instant usedAt,
        @Nullable Instant revokedAt) {}
