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

    /** Couple routes and sign-in: the address was never confirmed. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "403",
            description = "email-not-verified: the account's address was never confirmed",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "email-not-verified",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/email-not-verified\",\"title\":\"Email not verified\",\"status\":403,\"detail\":\"Confirm your email address first.\",\"code\":\"email-not-verified\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    public @interface Unverified {}

    /** Couple writes that can collide with the couple's state. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "409",
            description =
                    "already-paired, own-invite, couple-ended or client-id-taken (api/PROBLEMS.md says which route answers which)",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "couple-ended",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/couple-ended\",\"title\":\"Couple ended\",\"status\":409,\"detail\":\"This couple has ended; its history is read-only.\",\"code\":\"couple-ended\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    public @interface CoupleConflict {}

    /** Joining with a code. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "404",
            description = "invite-not-found: the code is wrong, expired or used (one answer for all)",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "invite-not-found",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/invite-not-found\",\"title\":\"Invite not found\",\"status\":404,\"detail\":\"No open invite has this code.\",\"code\":\"invite-not-found\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    public @interface InviteNotFound {}

    /** Routes that take an id. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "404",
            description = "not-found: nothing with this id, or not yours to see (both answer the same)",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "not-found",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/not-found\",\"title\":\"Not found\",\"status\":404,\"detail\":\"This image was not found.\",\"code\":\"not-found\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    public @interface NotFound {}

    /** POST /v1/media: the limits checked before anything is decoded. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "409",
            description = "storage-quota-exceeded: this upload would take the account past its storage quota",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "storage-quota-exceeded",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/storage-quota-exceeded\",\"title\":\"Storage quota exceeded\",\"status\":409,\"detail\":\"Your photos use all of your storage.\",\"code\":\"storage-quota-exceeded\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    @ApiResponse(
            responseCode = "413",
            description = "payload-too-large: over duet.media.max-upload-size (20 MB), refused before it is read",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "payload-too-large",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/payload-too-large\",\"title\":\"Payload too large\",\"status\":413,\"detail\":\"The request body is larger than this endpoint accepts.\",\"code\":\"payload-too-large\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    @ApiResponse(
            responseCode = "415",
            description = "unsupported-image-type: not JPEG, PNG or WebP by its magic bytes",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "unsupported-image-type",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/unsupported-image-type\",\"title\":\"Unsupported image type\",\"status\":415,\"detail\":\"Send a JPEG, PNG or WebP image.\",\"code\":\"unsupported-image-type\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    @ApiResponse(
            responseCode = "422",
            description =
                    "unreadable-image or image-too-large: a damaged header, or more pixels than duet.media.max-pixels; "
                            + "idempotency-key-reused: the Idempotency-Key named another upload",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "image-too-large",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/image-too-large\",\"title\":\"Image too large\",\"status\":422,\"detail\":\"The image has more pixels than allowed.\",\"code\":\"image-too-large\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    public @interface ImageUpload {}

    /** A media variant before its item is ready. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ApiResponse(
            responseCode = "409",
            description = "media-not-ready: the image is processing or has failed; wait for media.ready",
            content =
                    @Content(
                            mediaType = Problem.MEDIA_TYPE,
                            schema = @Schema(implementation = Problem.class),
                            examples =
                                    @ExampleObject(
                                            name = "media-not-ready",
                                            value =
                                                    "{\"type\":\"https://duet.dev/problems/media-not-ready\",\"title\":\"Media not ready\",\"status\":409,\"detail\":\"This image is not ready yet.\",\"code\":\"media-not-ready\",\"requestId\":\"0b7c6a2e-5d1f-4a8e-9c3b-2f6d8e1a4b5c\"}")))
    public @interface NotReady {}
}
