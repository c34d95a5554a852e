package io.duet.infra.media;

import io.duet.infra.DeploymentConfig;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * A region's media bucket (originals and variants under {@code media/<id>/}, as {@code S3MediaStore} writes
 * them). The app hands out presigned S3 links today; the region's CloudFront distribution (in the edge
 * stack, us-east-1) reads the bucket through origin access control. The bucket has a fixed name so that
 * the edge stack finds it without a cross-region reference.
 */
public final class MediaStack extends Stack {
    private final Bucket bucket;
    private final Bucket logs;

    public MediaStack(Construct scope, String id, StackProps props, DeploymentConfig config, String region) {
        super(scope, id, props);
        logs = Bucket.Builder.create(this, "Logs")
                .bucketName(bucketName(config, region) + "-logs")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_PREFERRED)
                .lifecycleRules(List.of(
                        LifecycleRule.builder().expiration(Duration.days(90)).build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // S3-managed encryption is S3's default; SSE-KMS would make every CloudFront read a KMS call and every
        // presigned link depend on a key policy, for no gain in who can read the objects.
        bucket = Bucket.Builder.create(this, "Media")
                .bucketName(bucketName(config, region))
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .serverAccessLogsBucket(logs)
                .serverAccessLogsPrefix("media/")
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // CloudFront's distributions are created later, in us-east-1; their ids are not known here, so the
        // grant names this account's distributions rather than one distribution.
        bucket.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("CloudFrontOriginAccessControl")
                .effect(Effect.ALLOW)
                .principals(List.of(new ServicePrincipal("cloudfront.amazonaws.com")))
                .actions(List.of("s3:GetObject"))
                .resources(List.of(bucket.arnForObjects("media/*")))
                .conditions(Map.of(
                        "StringLike",
                        Map.of("AWS:SourceArn", "arn:aws:cloudfront::" + config.account() + ":distribution/*")))
                .build());
    }

    /** Fixed, so that the edge stack (another region) and the units' settings name it without a reference. */
    public static String bucketName(DeploymentConfig config, String region) {
        return config.prefix() + "-media-" + region + "-" + config.account();
    }

    public Bucket bucket() {
        return bucket;
    }
}
