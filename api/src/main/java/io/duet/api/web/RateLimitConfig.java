package io.duet.api.web;

import io.micronaut.context.annotation.ConfigurationProperties;
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
        @NotNull Duration signInMaxDelay) {}
