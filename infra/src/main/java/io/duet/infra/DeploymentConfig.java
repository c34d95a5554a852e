package io.duet.infra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one deployment of Duet is made of, read from CDK context ({@code cdk.json}, or {@code -c key=value}).
 * Nothing here is looked up in AWS: synthesis runs offline, so every account, region, zone and CIDR is given.
 *
 * @param stage deployment name in every stack and resource name ({@code duet:stage}, e.g. {@code prod})
 * @param account the AWS account every stack deploys to ({@code duet:account}; the checked-in value is the
 *     placeholder 111111111111, a real deploy passes {@code -c duet:account=...})
 * @param primaryRegion the region of the Aurora writer, the secrets' source and the outbox relay
 *     ({@code duet:primaryRegion})
 * @param regions every region Duet serves, the primary included, each with its VPC's CIDR; the CIDRs must
 *     not overlap, so that the regions' VPCs can be peered ({@code duet:regions},
 *     {@code eu-west-1=10.10.0.0/16,us-east-1=10.20.0.0/16})
 * @param zoneName the public hosted zone every hostname lives in ({@code duet:zoneName})
 * @param zoneId that zone's id ({@code duet:zoneId}); given, never looked up
 * @param imageTag the tag of the gateway and worker images in each region's ECR repositories
 *     ({@code duet:imageTag}; CI pushes it before the services stacks deploy)
 * @param alarmEmail where the alarm topic mails, empty for none ({@code duet:alarmEmail})
 * @param writerEndpoint the primary region's RDS Proxy endpoint (an output of the primary data stack),
 *     which the other regions' units write through over the peered VPCs; a placeholder until the primary
 *     data stack has been deployed once ({@code duet:writerEndpoint})
 * @param functionsDir where the functions module's zips are ({@code duet:functionsDir})
 * @param placeholderCode the asset every function uses when {@code functionsDir} holds no zips
 * @param promotionsFile the promotions file ({@code duet:promotionsFile})
 * @param capacityInputsFile the capacity model's inputs ({@code duet:capacityInputs})
 * @param vpcIds every region's VPC id ({@code duet:vpcIds}, {@code region=vpc-…,…}: the foundation stacks' outputs),
 *     or empty before the foundations are deployed; when given, the links stacks peer the regions
 * @param alertThresholds the alert thresholds shared with the Prometheus rules ({@code duet:alertThresholds}), read once
 */
public record DeploymentConfig(
        String stage,
        String account,
        String primaryRegion,
        Map<String, String> regions,
        String zoneName,
        String zoneId,
        String imageTag,
        String alarmEmail,
        String writerEndpoint,
        Path functionsDir,
        Path placeholderCode,
        Path promotionsFile,
        Path capacityInputsFile,
        AlertThresholds alertThresholds,
        Map<String, String> vpcIds) {

    /** The edge stack (CloudFront's WAF and certificate) must live here: CloudFront only takes those from us-east-1. */
    public static final String EDGE_REGION = "us-east-1";

    public DeploymentConfig {
        // Insertion order, not Map.copyOf: its iteration order changes from one JVM to the next, and so would
        // every template that lists the regions (the snapshot test caught it).
        regions = Collections.unmodifiableMap(new LinkedHashMap<>(regions));
        vpcIds = Map.copyOf(vpcIds);
        if (!vpcIds.isEmpty() && !vpcIds.keySet().equals(regions.keySet())) {
            throw new IllegalArgumentException("duet:vpcIds must name the VPC of every region of duet:regions "
                    + regions.keySet() + ", named " + vpcIds.keySet());
        }
        if (!regions.containsKey(primaryRegion)) {
            throw new IllegalArgumentException(
                    "duet:primaryRegion " + primaryRegion + " is not one of duet:regions " + regions.keySet());
        }
        if (!account.matches("\\d{12}")) {
            throw new IllegalArgumentException("duet:account must be a 12-digit AWS account id, was '" + account + "'");
        }
    }

    /** The regions in a fixed order: the primary first, then the others by name (deploy order). */
    public List<String> regionsInDeployOrder() {
        var others = new ArrayList<>(regions.keySet());
        others.remove(primaryRegion);
        others.sort(null);
        var ordered = new ArrayList<String>();
        ordered.add(primaryRegion);
        ordered.addAll(others);
        return List.copyOf(ordered);
    }

    public List<String> secondaryRegions() {
        return regionsInDeployOrder().subList(1, regions.size());
    }

    public boolean isPrimary(String region) {
        return primaryRegion.equals(region);
    }

    /** The prefix of every stack and named resource: {@code duet-prod}. */
    public String prefix() {
        return "duet-" + stage;
    }

    /** Reads the configuration from context values; {@code baseDir} anchors the relative paths. */
    public static DeploymentConfig from(Function<String, Object> context, Path baseDir) {
        Function<String, String> required = key -> Optional.ofNullable(context.apply(key))
                .map(Object::toString)
                .filter(v -> !v.isBlank())
                .orElseThrow(
                        () -> new IllegalArgumentException("CDK context " + key + " is required (see infra/cdk.json)"));
        Function<String, String> optional = key ->
                Optional.ofNullable(context.apply(key)).map(Object::toString).orElse("");
        var regions = pairs("duet:regions", required.apply("duet:regions"));
        return new DeploymentConfig(
                required.apply("duet:stage"),
                required.apply("duet:account"),
                required.apply("duet:primaryRegion"),
                regions,
                required.apply("duet:zoneName"),
                required.apply("duet:zoneId"),
                required.apply("duet:imageTag"),
                optional.apply("duet:alarmEmail"),
                required.apply("duet:writerEndpoint"),
                baseDir.resolve(required.apply("duet:functionsDir")).normalize(),
                baseDir.resolve(required.apply("duet:placeholderCode")).normalize(),
                baseDir.resolve(required.apply("duet:promotionsFile")).normalize(),
                baseDir.resolve(required.apply("duet:capacityInputs")).normalize(),
                AlertThresholds.load(
                        baseDir.resolve(required.apply("duet:alertThresholds")).normalize()),
                pairs("duet:vpcIds", optional.apply("duet:vpcIds")));
    }

    /** {@code key=value,key=value} in order; empty for an empty string. */
    private static LinkedHashMap<String, String> pairs(String name, String value) {
        var pairs = new LinkedHashMap<String, String>();
        if (value.isBlank()) {
            return pairs;
        }
        for (String entry : value.split(",")) {
            String[] parts = entry.trim().split("=");
            if (parts.length != 2) {
                throw new IllegalArgumentException(name + ": '" + entry + "' is not key=value");
            }
            pairs.put(parts[0].trim(), parts[1].trim());
        }
        return pairs;
    }
}
