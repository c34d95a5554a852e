package io.duet.api.web;

import io.micronaut.http.HttpStatus;
import java.time.Duration;
import java.util.Map;

/** Over a rate limit; {@code Retry-After} says when the next attempt can succeed. */
public final class TooManyRequestsException extends ProblemException {
    private final Duration retryAfter;

    public TooManyRequestsException(Duration retryAfter) {
        super(
                "rate-limited",
                "Too many requests",
                HttpStatus.TOO_MANY_REQUESTS,
                "Too many attempts. Try again in " + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " seconds.");
        this.retryAfter = retryAfter;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
    }
}
