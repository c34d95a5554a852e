package io.duet.api.media;

import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The media store in AWS: one S3 bucket (served to clients through time-limited presigned links).
 * Built with the SDK's URL-connection HTTP client and its default credentials chain.
 */
@Singleton
@Requires(property = "duet.media.store", value = "s3")
public final class S3MediaStore implements MediaStore, AutoCloseable {
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final String prefix;
    private final Duration linkTtl;

    @Inject
    S3MediaStore(MediaS3Config config, MediaConfig media) {
        this(client(config), presigner(config), config.bucket(), config.prefix(), media.linkTtl());
    }

    public S3MediaStore(S3Client s3, S3Presigner presigner, String bucket, String prefix, Duration linkTtl) {
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("duet.media.s3.bucket is required for the S3 media store");
        }
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.prefix = prefix;
        this.linkTtl = linkTtl;
    }

    private static S3Client client(MediaS3Config config) {
        var builder = S3Client.builder();
        if (!config.region().isBlank()) {
            builder.region(Region.of(config.region()));
        }
        if (!config.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(config.endpoint()))
                    .serviceConfiguration(S3Configuration.builder()
                            .pathStyleAccessEnabled(true)
                            .build());
        }
        return builder.build();
    }

    private static S3Presigner presigner(MediaS3Config config) {
        var builder = S3Presigner.builder();
        if (!config.region().isBlank()) {
            builder.region(Region.of(config.region()));
        }
        if (!config.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(config.endpoint()))
                    .serviceConfiguration(S3Configuration.builder()
                            .pathStyleAccessEnabled(true)
                            .build());
        }
        return builder.build();
    }

    @Override
    public void put(String key, Path file, String contentType) {
        s3.putObject(put -> put.bucket(bucket).key(prefix + key).contentType(contentType), RequestBody.fromFile(file));
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) {
        s3.putObject(
                put -> put.bucket(bucket).key(prefix + key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    @Override
    public byte[] read(String key) throws IOException {
        try {
            return s3.getObjectAsBytes(get -> get.bucket(bucket).key(prefix + key))
                    .asByteArray();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        }
    }

    @Override
    public void deleteAll(UUID mediaId) {
        String folder = prefix + "media/" + mediaId + "/";
        List<ObjectIdentifier> keys =
                s3.listObjectsV2Paginator(list -> list.bucket(bucket).prefix(folder)).contents().stream()
                        .map(S3Object::key)
                        .map(key -> ObjectIdentifier.builder().key(key).build())
                        .toList();
        if (!keys.isEmpty()) {
            s3.deleteObjects(delete -> delete.bucket(bucket)
                    .delete(Delete.builder().objects(keys).quiet(true).build()));
        }
    }

    @Override
    public Optional<URI> link(String key) {
        var request = presigner.presignGetObject(presign -> presign.signatureDuration(linkTtl)
                .getObjectRequest(get -> get.bucket(bucket).key(prefix + key)));
        try {
            return Optional.of(request.url().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("presigned link is not a URI", e);
        }
    }

    @PreDestroy
    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
