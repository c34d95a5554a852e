package io.duet.api.couple;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

/** The couple feature's HTTP bodies. */
final class CoupleMessages {
    private CoupleMessages() {}

    @Serdeable
    record JoinCoupleRequest(
            @Schema(example = "K7QM-3XWD") @NotBlank @Size(max = 32)
            String code) {}

    @Serdeable
    record InviteResponse(
            @Schema(example = "K7QM-3XWD") String code,
            @Schema(example = "2026-12-04T09:30:00Z") Instant expiresAt) {
        static InviteResponse from(CoupleService.IssuedInvite invite) {
            return new InviteResponse(invite.code(), invite.expiresAt());
        }
    }

    @Serdeable
    record JoinedResponse(
            @Schema(example = "5c4b3a29-1807-4f6e-8d5c-4b3a29180716")
            UUID coupleId,

            CoupleService.Partner partner,
            @Schema(example = "2026-12-03T09:30:00Z") Instant since) {
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
    record CoupleResponse(
            @Schema(example = "5c4b3a29-1807-4f6e-8d5c-4b3a29180716")
            UUID coupleId,

            @Schema(example = "active") String status,

            @Nullable @Schema(type = "object", description = "null when the partner's account has been purged")
            CoupleService.Partner partner,

            @Schema(example = "2026-12-03T09:30:00Z") Instant since,
            @Nullable Instant endedAt,
            @Schema(example = "eu-west-1") String homeRegion,

            @Schema(example = "wss://rt.eu-west-1.duet.example/v1/realtime")
            String gatewayUrl,

            @Schema(example = "418") long lastSeq,
            @Schema(example = "417") long readSeq,
            @Schema(example = "418") long partnerReadSeq) {
        static CoupleResponse from(CoupleService.Current current) {
            return new CoupleResponse(
                    current.coupleId(),
                    current.endedAt() == null ? "active" : "ended",
                    current.partner(),
                    current.since(),
                    current.endedAt(),
                    current.homeRegion(),
                    current.gatewayUrl(),
                    current.lastSeq(),
                    current.readSeq(),
                    current.partnerReadSeq());
        }
    }

    @Serdeable
    record AcceptedResponse(@Schema(example = "sent") String status) {
        static final AcceptedResponse NUDGED = new AcceptedResponse("nudged");
    }
}
