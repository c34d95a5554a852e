package io.duet.api.account;

import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.core.annotation.Nullable;
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
            @NotBlank @Size(max = 320) String email,
            @NotNull @Size(min = 8, max = 256) String password,
            @NotBlank @Size(max = 64) String displayName) {}

    @Serdeable
    record VerifyRequest(@NotBlank @Size(max = 320) String email, @NotBlank @Pattern(regexp = "\\d{6}") String code) {}

    @Serdeable
    record ResendRequest(@NotBlank @Size(max = 320) String email) {}

    @Serdeable
    record SignInRequest(@NotBlank @Size(max = 320) String email, @NotNull @Size(max = 256) String password) {}

    @Serdeable
    record RefreshRequest(@NotBlank @Size(max = 128) String refreshToken) {}

    @Serdeable
    record UpdateMeRequest(@Nullable @Size(min = 1, max = 64) String displayName,
            @Nullable @Pattern(regexp = "[a-z]{2}(-[A-Z]{2})?") String locale) {}

    @Serdeable
    record AcceptedResponse(String status) {
        static final AcceptedResponse VERIFICATION_SENT = new AcceptedResponse("verification_sent");
        static final AcceptedResponse DELETION_SCHEDULED = new AcceptedResponse("deletion_scheduled");
    }

    @Serdeable
    record AccountResponse(UUID id, String email, String displayName, String locale, boolean verified, Instant createdAt,
            @Nullable String avatarUrl) {
        static AccountResponse from(Account account) {
            return new AccountResponse(account.id(), account.email(), account.displayName(), account.locale(),
                    account.verified(), account.createdAt(),
                    account.avatarMediaId() == null ? null : "/v1/media/" + account.avatarMediaId() + "/256");
        }
    }

    @Serdeable
    record TokensResponse(String accessToken, String refreshToken, long expiresIn, AccountResponse account) {}
}
