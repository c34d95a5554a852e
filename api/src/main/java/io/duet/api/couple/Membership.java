package io.duet.api.couple;

import io.micronaut.core.annotation.Introspected;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.UUID;

/**
 * The caller's place in a couple, read from the caller's own membership row: what every couple-scoped
 * query is keyed by. An ended couple is still a membership while its history is kept (read-only).
 *
 * @param partnerId null only when the partner's account has been purged
 */
@Introspected
public record Membership(
        UUID coupleId,
        UUID accountId,
        @Nullable UUID partnerId,
        Instant since,
        String homeRegion,
        @Nullable Instant endedAt) {

    public boolean active() {
        return endedAt == null;
    }
}
