package io.duet.api.web;

import io.micronaut.http.HttpStatus;
import java.util.List;

/** A field that passed the syntax rules but not a business rule (a common password, a malformed address). */
public final class InvalidFieldException extends ProblemException {
    private final String field;
    private final String reason;

    public InvalidFieldException(String field, String reason) {
        super(
                "validation-failed",
                "Invalid request",
                HttpStatus.BAD_REQUEST,
                "Some fields are missing or invalid; see errors.");
        this.field = field;
        this.reason = reason;
    }

    @Override
    public Problem toProblem() {
        return super.toProblem().withErrors(List.of(new Problem.InvalidParam(field, reason)));
    }
}
