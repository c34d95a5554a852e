package io.duet.api.web;

import io.micronaut.http.HttpStatus;

/** Credentials or a token that do not sign anyone in; one body for every reason, so nothing leaks. */
public final class UnauthorizedException extends ProblemException {
    public UnauthorizedException() {
        super("unauthorized", "Unauthorized", HttpStatus.UNAUTHORIZED, "The credentials or token are not valid.");
    }
}
