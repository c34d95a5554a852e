package io.duet.api.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
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

    /** The problem of a bare status, for answers that have no more specific one (unknown path, wrong method...). */
    public static Problem ofStatus(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST ->
                of("bad-request", "Bad request", 400, "The request has a missing or malformed parameter.");
            case UNAUTHORIZED ->
                of("unauthorized", "Unauthorized", 401, "Send a valid bearer token in the Authorization header.");
            case FORBIDDEN -> of("forbidden", "Forbidden", 403, "You may not do this.");
            case NOT_FOUND -> of("not-found", "Not found", 404, "Nothing is served at this path.");
            case METHOD_NOT_ALLOWED ->
                of("method-not-allowed", "Method not allowed", 405, "This path does not accept this HTTP method.");
            case NOT_ACCEPTABLE ->
                of("not-acceptable", "Not acceptable", 406, "This resource is only available as application/json.");
            case REQUEST_ENTITY_TOO_LARGE ->
                of(
                        "payload-too-large",
                        "Payload too large",
                        413,
                        "The request body is larger than this endpoint accepts.");
            case UNSUPPORTED_MEDIA_TYPE ->
                of("unsupported-media-type", "Unsupported media type", 415, "Send the body as application/json.");
            case SERVICE_UNAVAILABLE ->
                of("service-overloaded", "Service overloaded", 503, "The service is busy. Try again in a few seconds.");
            default ->
                status.getCode() >= 500
                        ? of("internal-error", "Internal error", status.getCode(), null)
                        : of("client-error", status.getReason(), status.getCode(), null);
        };
    }

    public Problem withRequestId(@Nullable String id) {
        return new Problem(type, title, status, detail, code, id, errors);
    }

    Problem withErrors(List<InvalidParam> invalid) {
        return new Problem(type, title, status, detail, code, requestId, invalid.isEmpty() ? null : invalid);
    }

    /** One rejected input: where it was ({@code body.email}, {@code limit}) and why. */
    @Serdeable
    public record InvalidParam(String field, String reason) {}
}
