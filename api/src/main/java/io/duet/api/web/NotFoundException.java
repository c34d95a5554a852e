package io.duet.api.web;

import io.micronaut.http.HttpStatus;

/** Something the caller named does not exist, or is not theirs to see (both answer the same). */
public final class NotFoundException extends ProblemException {
    public NotFoundException(String what) {
        super("not-found", "Not found", HttpStatus.NOT_FOUND, what + " was not found.");
    }
}
