package io.duet.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.duet.capacity.CapacityInputs;
import io.duet.capacity.CapacityModel;
import io.duet.capacity.CapacityPlan;
import io.duet.infra.api.ApiStack;
import io.duet.infra.api.FunctionCode;
import io.duet.infra.data.DataStack;
import io.duet.infra.edge.EdgeStack;
import io.duet.infra.foundation.FoundationStack;
import io.duet.infra.links.LinksStack;
import io.duet.infra.media.MediaStack;
import io.duet.infra.promotions.PromotionsFile;
import io.duet.infra.services.ServicesStack;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;

/**
 * The CDK app: per region a foundation, data, media, API and services stack, then the edge stack in us-east-1.
 * Every stack names its account and region; regions are linked by fixed names and the deploy order below,
 * never by cross-region references. The promotions file and the capacity model are read here, so a bad
 * promotion fails synthesis. cdk-nag's AwsSolutions checks run on every stack.
 *
 * <p>{@code mvn -pl infra -q compile exec:java} synthesizes into {@code infra/target/cdk.out} (infra/README.md).
 */
public final class DuetApp {
    /** The stacks of one region, in deploy order. */
    /** @param links the peering to the other regions; null until {@code duet:vpcIds} is given */
    public record RegionStacks(
            FoundationStack foundation,
            DataStack data,
            MediaStack media,
            ApiStack api,
            ServicesStack services,
            LinksStack links) {}

    /** Everything the app made, for the tests. */
    public record Stacks(
            DeploymentConfig config, Map<String, RegionStacks> regions, EdgeStack edge, List<CapacityPlan> plans) {}

    private DuetApp() {}

    public static void main(String[] args) {
        Path baseDir = baseDir();
        var props = AppProps.builder();
        if (System.getenv("CDK_CONTEXT_JSON") == null) {
            // Run without the cdk CLI (./duet synth): read cdk.json's context ourselves, as the CLI would.
            Map<String, Object> context = cdkJsonContext(baseDir.resolve("cdk.json"));
            if (args.length == 2 && args[0].equals("--regions")) {
                context.put("duet:regions", onlyRegions(String.valueOf(context.get("duet:regions")), args[1]));
            } else if (args.length > 0) {
                throw new IllegalArgumentException("usage: ./duet synth [--regions REGION,...]");
            }
            props.context(context);
        }
        if (System.getenv("CDK_OUTDIR") == null) {
            props.outdir(baseDir.resolve("target/cdk.out").toString());
        }
        var app = new App(props.build());
        var config = DeploymentConfig.from(key -> app.getNode().tryGetContext(key), baseDir);
        var stacks = build(app, config, Instant.now());
        var code = new FunctionCode(config.functionsDir(), config.placeholderCode());
        for (String kind : List.of("api", "signup")) {
            if (code.isPlaceholder(kind)) {
                System.err.println("WARNING: no " + kind + " package in " + config.functionsDir()
                        + "; the placeholder stands in. Run ./duet package before a deploy.");
            }
        }
        app.synth();
        for (CapacityPlan plan : stacks.plans()) {
            System.out.printf(
                    "promotion %s (%s, %d signups/min): %s to %s: signup provisioned concurrency %d, workers %d, gateways %d%n",
                    plan.promotion().name(),
                    plan.promotion().region(),
                    plan.promotion().signupsPerMinute(),
                    plan.raiseAt(),
                    plan.lowerAt(),
                    plan.signupProvisionedConcurrency(),
                    plan.workers(),
                    plan.gateways());
        }
        System.out.println("synthesized " + app.getNode().getChildren().size() + " stacks into " + app.getOutdir());
    }

    /** Builds every stack into {@code app} and adds the cdk-nag checks; {@code now} drops promotions already over. */
    public static Stacks build(App app, DeploymentConfig config, Instant now) {
        var promotions =
                PromotionsFile.read(config.promotionsFile(), config.regions().keySet());
        var model = new CapacityModel(CapacityInputs.read(config.capacityInputsFile()));
        var plans = model.plan(promotions, now);
        var code = new FunctionCode(config.functionsDir(), config.placeholderCode());

        var regions = new LinkedHashMap<String, RegionStacks>();
        DataStack primaryData = null;
        for (String region : config.regionsInDeployOrder()) {
            var props = props(config, region);
            String name = config.prefix() + "-" + region + "-";
            var regionPlans = plans.stream()
                    .filter(p -> p.promotion().region().equals(region))
                    .toList();
            var foundation = new FoundationStack(app, name + "foundation", props, config, region);
            var data = new DataStack(app, name + "data", props, config, region, foundation);
            if (primaryData == null) {
                primaryData = data;
            } else {
                // The secondary joins the global cluster and imports the replicated secrets by name.
                data.addStackDependency(primaryData);
            }
            var media = new MediaStack(app, name + "media", props, config, region);
            var api =
                    new ApiStack(app, name + "api", props, config, region, foundation, data, code, model, regionPlans);
            var services = new ServicesStack(
                    app, name + "services", props, config, region, foundation, data, model, regionPlans);
            api.addStackDependency(media);
            services.addStackDependency(media);
            LinksStack links = config.vpcIds().isEmpty()
                    ? null
                    : new LinksStack(app, name + "links", props, config, region, foundation, config.vpcIds());
            regions.put(region, new RegionStacks(foundation, data, media, api, services, links));
        }
        var edge = new EdgeStack(app, config.prefix() + "-edge", props(config, DeploymentConfig.EDGE_REGION), config);
        regions.values().forEach(r -> edge.addStackDependency(r.media()));

        Tags.of(app).add("project", "duet");
        Tags.of(app).add("stage", config.stage());
        Aspects.of(app)
                .add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        return new Stacks(config, regions, edge, plans);
    }

    private static StackProps props(DeploymentConfig config, String region) {
        return StackProps.builder()
                .env(Environment.builder()
                        .account(config.account())
                        .region(region)
                        .build())
                .crossRegionReferences(false)
                .terminationProtection(true)
                .build();
    }

    /** The infra module's folder: {@code duet.infra.dir}, else the working folder, or its {@code infra} folder from the root. */
    static Path baseDir() {
        String property = System.getProperty("duet.infra.dir");
        if (property != null) {
            return Path.of(property).toAbsolutePath();
        }
        Path cwd = Path.of("").toAbsolutePath();
        return Files.exists(cwd.resolve("cdk.json")) ? cwd : cwd.resolve("infra");
    }

    /**
     * The entries of {@code duet:regions} ({@code region=cidr,...}) for the regions asked for, in their order
     * there; an unknown region is an error naming the known ones.
     */
    static String onlyRegions(String all, String wanted) {
        var known = new LinkedHashMap<String, String>();
        for (String entry : all.split(",")) {
            known.put(entry.substring(0, entry.indexOf('=')).trim(), entry.trim());
        }
        var chosen = new java.util.ArrayList<String>();
        for (String region : wanted.split(",")) {
            String entry = known.get(region.trim());
            if (entry == null) {
                throw new IllegalArgumentException("unknown region '" + region.trim() + "' (cdk.json duet:regions has "
                        + String.join(", ", known.keySet()) + ")");
            }
            chosen.add(entry);
        }
        return String.join(",", chosen);
    }

    static Map<String, Object> cdkJsonContext(Path cdkJson) {
        try {
            JsonNode context = new ObjectMapper().readTree(cdkJson.toFile()).path("context");
            var values = new LinkedHashMap<String, Object>();
            context.properties().forEach(e -> {
                JsonNode v = e.getValue();
                values.put(
                        e.getKey(), v.isBoolean() ? (Object) v.asBoolean() : v.isTextual() ? v.asText() : v.toString());
            });
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + cdkJson, e);
        }
    }
}
