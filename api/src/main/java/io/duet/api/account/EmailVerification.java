package io.duet.api.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/**
 * One signup attempt's verification of an address: its code and link, and the credentials that attempt
 * chose ({@code passwordHash}, {@code displayName}, {@code locale}; null on rows from before attempts kept
 * their own, which verify with the account's). Completing it gives the account these credentials.
 */
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
        @Nullable Instant lastEmailAt,
        @Nullable String passwordHash,
        @Nullable String displayName,
        @Nullable String locale) {

    /** The code still verifies: not consumed, not expired, fewer wrong codes than allowed. */
    boolean usable(Instant now, int maxAttempts) {
        return linkUsable(now) && attempts < maxAttempts;
    }

    /**
     * The link still verifies. Wrong codes do not count against it: its token is 128 random bits that no
     * one guesses, so five wrong codes typed by someone else must not kill the owner's emailed link.
     */
    boolean linkUsable(Instant now) {
        return consumedAt == null && now.isBefore(expiresAt);
    }
}
