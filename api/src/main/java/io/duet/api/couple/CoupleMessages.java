package io.duet.api.couple;

import io.micronaut.core.annotation.Nullable;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

/** The couple feature's HTTP bodies. */
final class CoupleMessages {
    private CoupleMessages() {}

    @Serdeable
    record JoinCoupleRequest(@NotBlank @Size(max = 32) String code) {}

    @Serdeable
    record InviteResponse(String code, Instant expiresAt) {
        static InviteResponse from(CoupleService.IssuedInvite invite) {
            return new InviteResponse(invite.code(), invite.expiresAt());
        }
    }

    @Serdeable
    record JoinedResponse(UUID coupleId, CoupleService.Partner partner, Instant since) {
        static JoinedResponse from(CoupleService.Joined joined) {
            return new JoinedResponse(joined.coupleId(), joined.partner(), joined.since());
        }
    }

    /**
     * @param status {@code active}, or {@code ended} while the history of an ended couple is kept (read-only)
     * @param partner null when the partner's account has been purged
     * @param gatewayUrl the realtime gateway of the couple's home region
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record CoupleResponse(UUID coupleId, String status, @Nullable CoupleService.Partner partner, Instant since,
            @Nullable Instant endedAt, String homeRegion, String gatewayUrl, long lastSeq, long readSeq,
            long partnerReadSeq) {
        static CoupleResponse from(CoupleService.Current current) {
            return new CoupleResponse(current.coupleId(), current.endedAt() == null ? "active" : "ended",
                    current.partner(), current.since(), current.endedAt(), current.homeRegion(), current.gatewayUrl(),
                    current.lastSeq(), current.readSeq(), current.partnerReadSeq());
        }
    }

    @Serdeable
    record AcceptedResponse(String status) {
        static final AcceptedResponse NUDGED = new AcceptedResponse("nudged");
    }
}
