package io.duet.api.media;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;

/**
 * The S3 media store ({@code duet.media.store=s3}). Credentials come from the SDK's default chain (the
 * task or function role in AWS), never from configuration files.
 *
 * @param bucket the bucket; required for the S3 store
 * @param region its region; empty takes the SDK's default (AWS_REGION)
 * @param endpoint an S3-compatible endpoint instead of AWS (tests, other clouds); empty for AWS
 * @param prefix key prefix inside the bucket; default empty
 */
@ConfigurationProperties("duet.media.s3")
public record MediaS3Config(
        @NotNull String bucket,
        @NotNull String region,
        @NotNull String endpoint,
        @NotNull String prefix) {}
