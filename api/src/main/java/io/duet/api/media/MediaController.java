package io.duet.api.media;

import io.duet.api.web.Caller;
import io.duet.api.web.InvalidFieldException;
import io.duet.api.web.NotFoundException;
import io.duet.api.web.ProblemResponses;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/** {@code /v1/media}: image intake, processing status, and the variants, for the owner and their partner. */
@Controller("/v1/media")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "media")
@ProblemResponses.Common
@ProblemResponses.Authenticated
class MediaController {
    /** Variants never change once written (a new image is a new id): caches may keep them for a year. */
    private static final String IMMUTABLE = "private, max-age=31536000, immutable";

    private final MediaService media;
    private final MediaConfig config;
    private final io.duet.api.web.RateLimiter limiter;
    private final io.duet.api.web.RateLimitConfig limits;

    MediaController(
            MediaService media,
            MediaConfig config,
            io.duet.api.web.RateLimiter limiter,
            io.duet.api.web.RateLimitConfig limits) {
        this.limiter = limiter;
        this.limits = limits;
        this.media = media;
        this.config = config;
    }

    @ProblemResponses.RateLimited
    @ProblemResponses.ImageUpload
    @Post(consumes = MediaType.ALL)
    @Status(HttpStatus.ACCEPTED)
    @Operation(
            summary = "Upload an image (raw body: JPEG, PNG or WebP); its variants are made asynchronously. "
                    + "Retrying with the same Idempotency-Key answers the first try's item (Idempotent-Replayed: true)")
    HttpResponse<MediaResponse> upload(
            @Nullable @QueryValue String kind,
            @Nullable @Header("Idempotency-Key") @Size(min = 1, max = 255) String idempotencyKey,
            HttpRequest<?> request,
            @Nullable @Body InputStream stream,
            @Parameter(hidden = true) Caller caller)
            throws IOException {
        // Behind the Lambda API Gateway proxy the body cannot be bound as a stream (it arrives whole in the
        // event, at most 6 MB); it is read as bytes there and goes through the same checks. No body at all
        // stays the 400 it always was.
        InputStream body = stream;
        if (body == null) {
            byte[] whole = request.getBody(byte[].class).orElse(null);
            if (whole == null || whole.length == 0) {
                throw new io.micronaut.http.exceptions.HttpStatusException(HttpStatus.BAD_REQUEST, "no body");
            }
            body = new java.io.ByteArrayInputStream(whole);
        }
        if (kind == null || !(kind.equals("avatar") || kind.equals("photo"))) {
            throw new InvalidFieldException("kind", "must be avatar or photo");
        }
        // A retry's first try, when it is in: its answer once the body shows the same request was sent.
        java.util.Optional<Media> earlier = idempotencyKey == null
                ? java.util.Optional.empty()
                : media.findUpload(caller.accountId(), idempotencyKey);
        // Counted before the body is read: a flood costs the sender, not our disk or the worker. A retry whose key
        // already names an item is not counted: it makes nothing, and a retry at the limit must still learn its id.
        if (earlier.isEmpty()) {
            limiter.hit(
                    "media:upload:" + caller.accountId(),
                    limits.mediaUploadsPerAccount(),
                    java.time.Duration.ofHours(1));
        }
        long declared = request.getHeaders().contentLength().orElse(-1);
        if (declared > config.maxUploadSize()) {
            throw new MediaProblems.UploadTooLargeException(config.maxUploadSize());
        }
        Path upload = Files.createTempFile("duet-upload-", ".bin");
        try {
            MessageDigest digest = sha256();
            digest.update((kind + "\u0000").getBytes(StandardCharsets.UTF_8));
            long bytes = receive(body, upload, digest);
            MediaService.UploadKey key = idempotencyKey == null
                    ? null
                    : new MediaService.UploadKey(idempotencyKey, HexFormat.of().formatHex(digest.digest()));
            // The quota and the image were checked on the first try. One that commits from here on is met by the
            // insert's conflict (or, past the quota, by the look below).
            if (earlier.isPresent()) {
                return answer(MediaService.replay(earlier.get(), key));
            }
            ImageHeader header;
            try (FileChannel channel = FileChannel.open(upload, StandardOpenOption.READ)) {
                ImageHeader.Source source = ImageHeader.Source.of(channel);
                if (!ImageHeader.sniff(source).accepted()) {
                    throw new MediaProblems.UnsupportedImageException();
                }
                header = ImageHeader.read(source).orElseThrow(MediaProblems.UnreadableImageException::new);
            }
            if (header.pixels() > config.maxPixels()) {
                throw new MediaProblems.ImageTooLargeException(config.maxPixels());
            }
            // Checked on what arrived, not what was declared. Two uploads racing may both pass: the quota
            // is a budget, not a hard ceiling, and is passed by at most one upload per concurrent request.
            if (media.storedBytes(caller.accountId()) + bytes > config.storageQuota()) {
                // The first try may have committed since the look above, and its bytes are in the sum: answer it.
                Media committedSince = (key == null
                                ? java.util.Optional.<Media>empty()
                                : media.findUpload(caller.accountId(), key.key()))
                        .orElseThrow(() -> new MediaProblems.StorageQuotaExceededException(config.storageQuota()));
                return answer(MediaService.replay(committedSince, key));
            }
            return answer(media.accept(caller.accountId(), kind, header, upload, bytes, key));
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    /** 202 with the item as it stands now (a replayed one may be ready by then), marked when replayed. */
    private HttpResponse<MediaResponse> answer(MediaService.Accepted accepted) {
        Media item = accepted.item();
        MutableHttpResponse<MediaResponse> response = HttpResponse.<MediaResponse>status(HttpStatus.ACCEPTED)
                .body(MediaResponse.of(item, accepted.replayed() ? media.variants(item.id()) : java.util.List.of()));
        if (accepted.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Copies the body to a temporary file, adding it to {@code digest}, stopping with 413 the moment it passes
     * the limit.
     */
    private long receive(InputStream body, Path upload, MessageDigest digest) throws IOException {
        long limit = config.maxUploadSize();
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (body;
                OutputStream out = Files.newOutputStream(upload)) {
            int n;
            while ((n = body.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw new MediaProblems.UploadTooLargeException(limit);
                }
                out.write(buffer, 0, n);
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            // The server's own cap (micronaut.server.max-request-size, the same limit) may trip first.
            if (e.getCause() instanceof ContentLengthExceededException) {
                throw new MediaProblems.UploadTooLargeException(limit);
            }
            throw e;
        }
        return total;
    }

    @ProblemResponses.NotFound
    @Get("/{id}")
    @Operation(summary = "Processing status and variants of an image")
    HttpResponse<MediaResponse> show(@PathVariable UUID id, @Parameter(hidden = true) Caller caller) {
        Media item = media.findVisible(id, caller.accountId()).orElseThrow(() -> new NotFoundException("This image"));
        return HttpResponse.ok(MediaResponse.of(item, media.variants(id)))
                .header(HttpHeaders.CACHE_CONTROL, "no-cache");
    }

    @ProblemResponses.NotFound
    @ProblemResponses.NotReady
    @Get("/{id}/{variant}")
    @Operation(summary = "The bytes of one variant (or, in AWS, a redirect to a time-limited link)")
    @ApiResponse(
            responseCode = "200",
            description = "the image (immutable: cache it, ETag for revalidation)",
            content = {
                @Content(mediaType = "image/jpeg", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary"))
            })
    @ApiResponse(responseCode = "302", description = "in AWS: a redirect to a time-limited link of the variant")
    @ApiResponse(responseCode = "304", description = "the If-None-Match ETag is current")
    HttpResponse<?> variant(
            @PathVariable UUID id,
            @PathVariable String variant,
            HttpRequest<?> request,
            @Parameter(hidden = true) Caller caller)
            throws IOException {
        Media item = media.findVisible(id, caller.accountId()).orElseThrow(() -> new NotFoundException("This image"));
        if (!item.status().equals(Media.READY)) {
            throw new MediaProblems.MediaNotReadyException();
        }
        MediaVariant found = media.variants(id).stream()
                .filter(v -> v.name().equals(variant))
                .findFirst()
                .orElseThrow(() -> new NotFoundException("This variant"));
        String etag = "\"" + found.etag() + "\"";
        var link = media.variantLink(id, found.name());
        if (link.isPresent()) {
            return HttpResponse.redirect(link.get()).header(HttpHeaders.CACHE_CONTROL, "private, no-store");
        }
        if (request.getHeaders()
                .get(HttpHeaders.IF_NONE_MATCH, String.class)
                .filter(etag::equals)
                .isPresent()) {
            return HttpResponse.notModified()
                    .header(HttpHeaders.ETAG, etag)
                    .header(HttpHeaders.CACHE_CONTROL, IMMUTABLE);
        }
        byte[] bytes;
        try {
            bytes = media.readVariant(id, found.name());
        } catch (NoSuchFileException e) {
            throw new NotFoundException("This variant");
        }
        return HttpResponse.ok(bytes)
                .contentType(found.contentType())
                .header(HttpHeaders.ETAG, etag)
                .header(HttpHeaders.CACHE_CONTROL, IMMUTABLE);
    }
}
