package io.duet.api.web;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;

/**
 * Request limits (fixed windows in Redis, shared by every node).
 *
 * @param trustedProxies CIDRs of load balancers whose {@code X-Forwarded-For} we believe (the client is
 *     the right-most address not in this list); empty: the socket's peer is the client. Default: none
 * @param signupPerIp signups per client address per minute; default 20
 * @param signupPerAddress signups per email address per hour; default 5
 * @param resendPerAddress verification resends per email address per day; default 10
 * @param signInPerIp sign-in attempts per client address per minute; default 30
 * @param signInFailures failed sign-ins per account per {@code signInFailureWindow} before the account
 *     slows down; default 5. Then each further attempt must wait (2 s, doubling, at most
 *     {@code signInMaxDelay}): guessing crawls, the owner still gets in, nobody is locked out for good
 * @param signInFailureWindow default 15 min
 * @param signInMaxDelay default 60 s
 * @param verifyPerIp {@code POST /v1/accounts/verify} attempts per client address per minute; default 30.
 *     Every wrong code already counts against its signup attempt; this stops one client from trying
 *     codes across many addresses
 * @param verifyPerAddress {@code POST /v1/accounts/verify} attempts per email address per hour, from
 *     any client; default 20 (a code dies after 5 wrong tries; this bounds guessing across resends)
 * @param mediaUploadsPerAccount {@code POST /v1/media} uploads per account per hour; default 200
 * @param messagesPerAccount {@code POST /v1/couple/messages} sends per account per minute; default 120
 *     (two a second, far above typing speed, far below a script)
 */
@ConfigurationProperties("duet.rate-limits")
public record RateLimitConfig(
        @NotNull List<String> trustedProxies,
        int signupPerIp,
        int signupPerAddress,
        int resendPerAddress,
        int signInPerIp,
        int signInFailures,
        @NotNull Duration signInFailureWindow,
        @NotNull Duration signInMaxDelay,
        @Min(1) int verifyPerIp,
        @Min(1) int verifyPerAddress,
        @Min(1) int mediaUploadsPerAccount,
        @Min(1) int messagesPerAccount) {}
