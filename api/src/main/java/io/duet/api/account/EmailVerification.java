package io.duet.api.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/** An open or consumed verification of an account's address. */
@MappedEntity("email_verification")
record EmailVerification(
        @Id UUID id,
        UUID accountId,
        byte[] codeHash,
        byte[] tokenHash,
        byte[] sealed,
        int attempts,
        Instant createdAt,
        Instant expiresAt,
        @Nullable Instant consumedAt,
        int emailsSent,
        @Nullable Instant lastEmailAt) {

    boolean usable(Instant now, int maxAttempts) {
        return consumedAt == null && now.isBefore(expiresAt) && attempts < maxAttempts;
    }
}
