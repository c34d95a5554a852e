package io.duet.api.couple;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;

/**
 * Couples and their shared space.
 *
 * @param inviteTtl how long an invite code stays valid; default 24 h
 * @param historyGrace after an unpair, the shared history stays readable (read-only) for the former
 *     partners this long, then it is purged with its messages; default 30 days
 * @param region this deployment's region: new couples get it as their home region; default {@code local}
 * @param gatewayUrls the realtime gateway URL of each region, by region name; a couple's clients are
 *     sent to its home region's gateway
 * @param nudgeLimit nudges one partner may send per {@code nudgeWindow}; default 10 per 10 min
 * @param nudgeWindow default 10 min
 * @param joinAttemptsPerHour invite codes one account may try per hour; default 20 (codes have 40 bits)
 * @param sweepInterval how often expired invites and ended couples past their grace are removed; default 1 h
 */
@ConfigurationProperties("duet.couples")
public record CoupleConfig(
        @NotNull Duration inviteTtl,
        @NotNull Duration historyGrace,
        @NotBlank String region,
        @NotNull Map<String, String> gatewayUrls,
        @Min(1) int nudgeLimit,
        @NotNull Duration nudgeWindow,
        @Min(1) int joinAttemptsPerHour,
        @NotNull Duration sweepInterval) {

    String gatewayUrl(String homeRegion) {
        return gatewayUrls.getOrDefault(homeRegion, gatewayUrls.get(region));
    }
}
