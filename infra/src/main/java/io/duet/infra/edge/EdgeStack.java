package io.duet.infra.edge;

import io.duet.infra.DeploymentConfig;
import io.duet.infra.Hostnames;
import io.duet.infra.Nag;
import io.duet.infra.Waf;
import io.duet.infra.media.MediaStack;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.certificatemanager.CertificateValidation;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.HttpVersion;
import software.amazon.awscdk.services.cloudfront.PriceClass;
import software.amazon.awscdk.services.cloudfront.SecurityPolicyProtocol;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOrigin;
import software.amazon.awscdk.services.route53.ARecord;
import software.amazon.awscdk.services.route53.HostedZone;
import software.amazon.awscdk.services.route53.HostedZoneAttributes;
import software.amazon.awscdk.services.route53.RecordTarget;
import software.amazon.awscdk.services.route53.targets.CloudFrontTarget;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketAttributes;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * What CloudFront needs from us-east-1 (its WAF and its certificates only come from there): the web ACL and,
 * per region, the media distribution that reads that region's bucket through origin access control, under
 * {@code media.REGION.ZONE}. Deployed after every region's media stack; it finds the buckets by their fixed names.
 */
public final class EdgeStack extends Stack {
    public EdgeStack(Construct scope, String id, StackProps props, DeploymentConfig config) {
        super(scope, id, props);
        var hosts = new Hostnames(config.zoneName());
        var zone = HostedZone.fromHostedZoneAttributes(
                this,
                "Zone",
                HostedZoneAttributes.builder()
                        .hostedZoneId(config.zoneId())
                        .zoneName(config.zoneName())
                        .build());
        var acl = Waf.cloudFront(this, "Waf", config.prefix() + "-media");
        var logs = Bucket.Builder.create(this, "Logs")
                .bucketName(config.prefix() + "-cloudfront-logs-" + config.account())
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_PREFERRED)
                .lifecycleRules(List.of(
                        LifecycleRule.builder().expiration(Duration.days(90)).build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        Nag.accept(
                logs,
                "AwsSolutions-S1",
                "This is CloudFront's log bucket; logging it into another bucket would only move the question");
        for (String region : config.regionsInDeployOrder()) {
            String suffix = region.replace("-", "");
            var bucket = Bucket.fromBucketAttributes(
                    this,
                    "Media" + suffix,
                    BucketAttributes.builder()
                            .bucketName(MediaStack.bucketName(config, region))
                            .region(region)
                            .account(config.account())
                            .build());
            var certificate = Certificate.Builder.create(this, "Certificate" + suffix)
                    .domainName(hosts.media(region))
                    .validation(CertificateValidation.fromDns(zone))
                    .build();
            var distribution = Distribution.Builder.create(this, "Distribution" + suffix)
                    .comment("Duet media " + region)
                    .defaultBehavior(BehaviorOptions.builder()
                            .origin(S3BucketOrigin.withOriginAccessControl(bucket))
                            .viewerProtocolPolicy(ViewerProtocolPolicy.REDIRECT_TO_HTTPS)
                            .cachePolicy(CachePolicy.CACHING_OPTIMIZED)
                            .build())
                    .domainNames(List.of(hosts.media(region)))
                    .certificate(certificate)
                    .minimumProtocolVersion(SecurityPolicyProtocol.TLS_V1_2_2021)
                    .httpVersion(HttpVersion.HTTP2_AND_3)
                    .priceClass(PriceClass.PRICE_CLASS_ALL)
                    .webAclId(acl.getAttrArn())
                    .enableLogging(true)
                    .logBucket(logs)
                    .logFilePrefix(region + "/")
                    .build();
            Nag.accept(distribution, "AwsSolutions-CFR1", "Duet's couples are anywhere; no country is excluded");
            ARecord.Builder.create(this, "Record" + suffix)
                    .zone(zone)
                    .recordName(hosts.media(region))
                    .target(RecordTarget.fromAlias(new CloudFrontTarget(distribution)))
                    .build();
        }
    }
}
