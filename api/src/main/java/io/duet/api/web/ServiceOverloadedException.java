package io.duet.api.web;

import io.micronaut.http.HttpStatus;
import java.time.Duration;
import java.util.Map;

/** The node cannot take more work right now (pool exhausted, statement or lock timeout, Redis away). */
public final class ServiceOverloadedException extends ProblemException {
    private final Duration retryAfter;

    public ServiceOverloadedException(Duration retryAfter) {
        super(
                "service-overloaded",
                "Service overloaded",
                HttpStatus.SERVICE_UNAVAILABLE,
                "The service is busy. Try again in a few seconds.");
        this.retryAfter = retryAfter;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
    }
}
