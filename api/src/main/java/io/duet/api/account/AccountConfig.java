package io.duet.api.account;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Accounts and their verification.
 *
 * @param codeTtl how long a verification code and link stay valid; default 15 min
 * @param codeAttempts wrong codes tolerated before a code is dead; default 5
 * @param openAttempts signup attempts of one pending address kept open at once, each with its own code
 *     and credentials; at the limit a further signup opens nothing (it still answers 202); default 5
 * @param takenNoticeInterval the owner of an address is told of signups with it at most this often; default 1 h
 * @param appDeepLink where the confirmation page's "open the app" button leads; default {@code duet://verified}
 * @param publicBaseUrl the API's public base URL, for links in emails
 * @param argon2 argon2id cost: memory in KiB, iterations, parallelism (default: OWASP's 19 MiB, 2, 1).
 *     Raising them upgrades each hash at its owner's next login. {@code maxConcurrent} hashes run at
 *     once per node (0: one per core), the others wait up to {@code maxWait} (default 30 s), then 503
 */
@ConfigurationProperties("duet.accounts")
record AccountConfig(
        @NotNull Duration codeTtl,
        @Min(1) @Max(20) int codeAttempts,
        @Min(1) @Max(20) int openAttempts,
        @NotNull Duration takenNoticeInterval,
        @NotBlank String appDeepLink,
        @NotBlank String publicBaseUrl,
        @NotNull Argon2 argon2) {

    @ConfigurationProperties("argon2")
    record Argon2(
            @Min(64) int memoryKib,
            @Min(1) int iterations,
            @Min(1) int parallelism,
            @Min(0) int maxConcurrent,
            @NotNull Duration maxWait) {}
}
