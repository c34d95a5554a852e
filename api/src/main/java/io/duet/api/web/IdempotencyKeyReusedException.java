package io.duet.api.web;

import io.micronaut.http.HttpStatus;

/** An {@code Idempotency-Key} seen before with another request: 422, the client must use a fresh key. */
public final class IdempotencyKeyReusedException extends ProblemException {
    public IdempotencyKeyReusedException() {
        super(
                "idempotency-key-reused",
                "Idempotency key reused",
                HttpStatus.UNPROCESSABLE_ENTITY,
                "This Idempotency-Key was already used with a different request body.");
    }
}
