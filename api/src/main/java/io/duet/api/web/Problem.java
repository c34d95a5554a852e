package io.duet.api.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * An RFC 9457 problem document. {@code code} is the stable slug clients switch on (the last segment of
 * {@code type}); {@code requestId} ties the answer to the server's log lines.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        String type,
        String title,
        int status,
        @Nullable String detail,
        String code,
        @Nullable String requestId,
        @Nullable List<InvalidParam> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://duet.dev/problems/";

    public static Problem of(String code, String title, int status, @Nullable String detail) {
        return new Problem(TYPE_BASE + code, title, status, detail, code, null, null);
    }

    Problem withRequestId(@Nullable String id) {
        return new Problem(type, title, status, detail, code, id, errors);
    }

    Problem withErrors(List<InvalidParam> invalid) {
        return new Problem(type, title, status, detail, code, requestId, invalid.isEmpty() ? null : invalid);
    }

    /** One rejected input: where it was ({@code body.email}, {@code limit}) and why. */
    @Serdeable
    public record InvalidParam(String field, String reason) {}
}
