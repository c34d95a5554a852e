package io.duet.api.couple;

import io.micronaut.core.annotation.Introspected;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.UUID;

/** What {@code GET /v1/couple} shows one partner: the couple, the other partner and both read markers. */
@Introspected
record CoupleView(
        UUID coupleId,
        Instant since,
        String homeRegion,
        @Nullable Instant endedAt,
        long lastSeq,
        long readSeq,
        @Nullable UUID partnerId,
        @Nullable String partnerName,
        long partnerReadSeq) {}
