package io.duet.api.web;

import io.micronaut.http.HttpStatus;
import java.util.Map;

/**
 * Base of every failure we answer with a problem document. Subclasses live in their feature package and
 * fix the slug (listed in {@code api/PROBLEMS.md}); {@code detail} is shown to users, so it never carries
 * ids of other couples, SQL or exception messages.
 */
public abstract class ProblemException extends RuntimeException {
    private final String code;
    private final String title;
    private final HttpStatus status;
    private final String detail;

    protected ProblemException(String code, String title, HttpStatus status, String detail) {
        super(code, null, false, false);
        this.code = code;
        this.title = title;
        this.status = status;
        this.detail = detail;
    }

    public String code() {
        return code;
    }

    public HttpStatus status() {
        return status;
    }

    /** Response headers that belong to the problem, such as {@code Retry-After}. */
    public Map<String, String> headers() {
        return Map.of();
    }

    /** The problem document this failure is answered with. */
    public Problem toProblem() {
        return Problem.of(code, title, status.getCode(), detail);
    }
}
