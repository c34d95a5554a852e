package io.duet.api.account;

import io.duet.api.web.RateLimitConfig;
import io.duet.api.web.RateLimiter;
import io.duet.api.web.TooManyRequestsException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/**
 * The limits of the account endpoints a promotion (or an attacker) hammers: signup, resend, sign-in,
 * per client address and per email address. Keys hold normalized addresses only as part of a Redis
 * key that expires with its window.
 */
@Singleton
class AccountLimits {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private final RateLimiter limiter;
    private final RateLimitConfig config;

    AccountLimits(RateLimiter limiter, RateLimitConfig config) {
        this.limiter = limiter;
        this.config = config;
    }

    void signUp(String clientIp, String email) {
        hitIpThenAddress(clientIp, "signup:address:", email, config.signupPerAddress(), Duration.ofHours(1));
    }

    void resend(String clientIp, String email) {
        hitIpThenAddress(clientIp, "resend:address:", email, config.resendPerAddress(), Duration.ofDays(1));
    }

    /**
     * Before a code is checked: the client address's limit, then the email address's (when it is one),
     * in one round trip. Counted whether the code is right or wrong, so the count says nothing.
     */
    void verify(String clientIp, String email) {
        RateLimiter.Limit ip = new RateLimiter.Limit("verify:ip:" + clientIp, config.verifyPerIp(), MINUTE);
        limiter.hitAll(
                EmailAddresses.valid(email)
                        ? List.of(
                                ip,
                                new RateLimiter.Limit(
                                        "verify:address:" + EmailAddresses.normalize(email),
                                        config.verifyPerAddress(),
                                        Duration.ofHours(1)))
                        : List.of(ip));
    }

    /** The client's signup limit (shared by signup and resend), then the address's when it is one, in one round trip. */
    private void hitIpThenAddress(
            String clientIp, String addressPrefix, String email, int perAddress, Duration window) {
        RateLimiter.Limit ip = new RateLimiter.Limit("signup:ip:" + clientIp, config.signupPerIp(), MINUTE);
        limiter.hitAll(
                EmailAddresses.valid(email)
                        ? List.of(
                                ip,
                                new RateLimiter.Limit(
                                        addressPrefix + EmailAddresses.normalize(email), perAddress, window))
                        : List.of(ip));
    }

    /**
     * Before checking a password: the per-address limit, and for an account with many recent failures a
     * gate that lets one attempt through per delay (2 s doubling per failure, capped), so guessing
     * crawls while the owner still gets in.
     */
    void beforeSignIn(String clientIp, String email) {
        limiter.hit("signin:ip:" + clientIp, config.signInPerIp(), MINUTE);
        if (!EmailAddresses.valid(email)) {
            return;
        }
        String account = EmailAddresses.normalize(email);
        long failures = limiter.peek("signin:failures:" + account);
        long over = failures - config.signInFailures();
        if (over >= 0) {
            long seconds = Math.min(config.signInMaxDelay().toSeconds(), 2L << Math.min(over, 20));
            RateLimiter.Hit gate = limiter.count("signin:gate:" + account, Duration.ofSeconds(seconds));
            if (gate.count() > 1) {
                throw new TooManyRequestsException(gate.remaining());
            }
        }
    }

    void signInFailed(String email) {
        if (EmailAddresses.valid(email)) {
            limiter.count("signin:failures:" + EmailAddresses.normalize(email), config.signInFailureWindow());
        }
    }

    void signInSucceeded(String email) {
        String account = EmailAddresses.normalize(email);
        limiter.clear("signin:failures:" + account);
        limiter.clear("signin:gate:" + account);
    }
}
