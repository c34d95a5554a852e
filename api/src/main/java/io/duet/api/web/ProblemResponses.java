package io.duet.api.web;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problem responses of the OpenAPI document, declared once and put on controllers and operations as
 * annotations: every operation lists the problem documents it can answer ({@code api/PROBLEMS.md} has them
 * all). The OpenAPI generator reads them through these stereotypes.
 */
public final class ProblemResponses {
    private ProblemResponses() {}

    /** Every route: a malformed or invalid request, and an overloaded dependency. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "400",
            description = "bad-request, malformed-body or validation-failed (errors names each field)",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "validation-failed", value = """
                            {"type":"https://duet.dev/problems/validation-failed","title":"Invalid request","status":400,\
                            "detail":"Some fields are missing or invalid; see errors.","code":"validation-failed",\
                            "requestId":"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c","errors":[{"field":"email","reason":"must be a well-formed email address"}]}""")))
    @ApiResponse(
            responseCode = "503",
            description = "service-overloaded: a dependency is slow or away; retry after Retry-After seconds",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "service-overloaded", value = """
                            {"type":"https://duet.dev/problems/service-overloaded","title":"Service overloaded","status":503,\
                            "detail":"The service is busy. Try again in a few seconds.","code":"service-overloaded",\
                            "requestId":"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c"}""")))
    public @interface Common {}

    /** Routes that need a bearer access token. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "401",
            description = "unauthorized: no token, an invalid or expired one, or an ended session",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "unauthorized", value = """
                            {"type":"https://duet.dev/problems/unauthorized","title":"Unauthorized","status":401,\
                            "detail":"Send a valid bearer token in the Authorization header.","code":"unauthorized",\
                            "requestId":"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c"}""")))
    public @interface Authenticated {}

    /** Routes behind a rate limit. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "429",
            description = "rate-limited: too many attempts; retry after Retry-After seconds",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "rate-limited", value = """
                            {"type":"https://duet.dev/problems/rate-limited","title":"Too many requests","status":429,\
                            "detail":"Too many attempts. Try again in 42 seconds.","code":"rate-limited",\
                            "requestId":"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c"}""")))
    public @interface RateLimited {}

    /** Couple routes: the caller has no couple, or it has ended. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "404",
            description = "not-paired: the caller has no couple (nor an ended one whose history is kept)",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "not-paired", value = """
                            {"type":"https://duet.dev/problems/not-paired","title":"Not paired","status":404,\
                            "detail":"You are not in a couple. Create an invite or join your partner's.","code":"not-paired","requestId":"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c"}""")))
    public @interface Paired {}

    /** Ops routes: the ops token. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "401",
            description = "ops-token-required: the Authorization header lacks the ops token",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "ops-token-required", value = """
                            {"type":"https://duet.dev/problems/ops-token-required","title":"Ops token required","status":401,\
                            "detail":"Ops endpoints need Authorization: Bearer <DUET_OPS_TOKEN>.","code":"ops-token-required",\
                            "requestId":"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c"}""")))
    public @interface Ops {}
}
