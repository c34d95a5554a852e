package io.duet.api.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

/** The account feature's HTTP bodies. Length limits count characters; the service checks the rest. */
final class AccountMessages {
    private AccountMessages() {}

    @Serdeable
    record SignUpRequest(
            @Schema(example = "ana@example.com") @NotBlank @Size(max = 320)
            String email,

            @Schema(example = "correct horse battery staple") @NotNull @Size(min = 8, max = 256)
            String password,

            @Schema(example = "Ana") @NotBlank @Size(max = 64)
            String displayName) {}

    @Serdeable
    record VerifyRequest(
            @Schema(example = "ana@example.com") @NotBlank @Size(max = 320)
            String email,

            @Schema(example = "482913") @NotBlank @Pattern(regexp = "\\d{6}")
            String code) {}

    @Serdeable
    record ResendRequest(
            @Schema(example = "ana@example.com") @NotBlank @Size(max = 320)
            String email) {}

    @Serdeable
    record SignInRequest(
            @Schema(example = "ana@example.com") @NotBlank @Size(max = 320)
            String email,

            @Schema(example = "correct horse battery staple") @NotNull @Size(max = 256)
            String password) {}

    @Serdeable
    record RefreshRequest(
            @Schema(example = "rt_Zk3q9V0b7Xy2LmN4pQ8sT1uW6") @NotBlank @Size(max = 128)
            String refreshToken) {}

    @Serdeable
    record UpdateMeRequest(
            @Schema(example = "Ana B.") @Nullable @Size(min = 1, max = 64)
            String displayName,

            @Schema(example = "de") @Nullable @Pattern(regexp = "[a-z]{2}(-[A-Z]{2})?")
            String locale) {}

    @Serdeable
    record AcceptedResponse(
            @Schema(example = "verification_sent") String status) {
        static final AcceptedResponse VERIFICATION_SENT = new AcceptedResponse("verification_sent");
        static final AcceptedResponse DELETION_SCHEDULED = new AcceptedResponse("deletion_scheduled");
    }

    @Serdeable
    record AccountResponse(
            @Schema(example = "7d8e1a4b-2f6d-4c3b-9e5a-0b7c6a2e5d1f")
            UUID id,

            @Schema(example = "ana@example.com") String email,
            @Schema(example = "Ana") String displayName,
            @Schema(example = "en") String locale,
            @Schema(example = "true") boolean verified,
            @Schema(example = "2026-12-03T09:30:00Z") Instant createdAt,

            @Schema(example = "/v1/media/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/256") @Nullable
            String avatarUrl) {
        static AccountResponse from(Account account) {
            return new AccountResponse(
                    account.id(),
                    account.email(),
                    account.displayName(),
                    account.locale(),
                    account.verified(),
                    account.createdAt(),
                    account.avatarMediaId() == null ? null : "/v1/media/" + account.avatarMediaId() + "/256");
        }
    }

    @Serdeable
    record TokensResponse(
            @Schema(example = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3ZDhlMWE0YiJ9.c2lnbmF0dXJl")
            String accessToken,

            @Schema(example = "rt_Zk3q9V0b7Xy2LmN4pQ8sT1uW6")
            String refreshToken,

            @Schema(example = "900") long expiresIn,
            AccountResponse account) {}
}
