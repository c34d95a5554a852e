package io.duet.api.media;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;

/**
 * Media intake, storage and serving.
 *
 * @param store where originals and variants live: {@code file} (default; {@code dir}) or {@code s3}
 *     ({@link MediaS3Config})
 * @param dir root folder of the file store; default {@code .duet/media}; env {@code DUET_MEDIA_DIR}
 * @param maxUploadSize largest upload body in bytes; default 20 MB. Checked against Content-Length
 *     and while the body streams in: 413 as soon as it is passed, nothing more is read
 * @param maxPixels largest width x height accepted, read from the header before anything is decoded;
 *     default 50,000,000; above it 422 at intake, {@code too-many-pixels} in the worker
 * @param linkTtl how long a redirect link to a variant in S3 stays valid; default 10 min
 * @param storageQuota bytes of originals one account may hold (every upload not {@code failed}, avatars
 *     included); default 2 GB. An upload that would pass it answers 409 {@code storage-quota-exceeded};
 *     the variants come on top (about a third of a typical photo's original)
 */
@ConfigurationProperties("duet.media")
public record MediaConfig(
        @NotBlank @Pattern(regexp = "file|s3") String store,
        @NotBlank String dir,
        @ReadableBytes @Min(1) long maxUploadSize,
        @Min(1) long maxPixels,
        @NotNull Duration linkTtl,
        @ReadableBytes @Min(1) long storageQuota) {}
