package io.duet.infra;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * The app, synthesized once per test JVM with cdk.json's context, the placeholder function code and the test
 * promotions, at a fixed clock. Every test class asserts on it.
 */
final class Fixture {
    static final Instant NOW = Instant.parse("2027-01-01T00:00:00Z");
    static final Path INFRA = Path.of(System.getProperty("duet.infra.dir", ".")).toAbsolutePath();
    static final DuetApp.Stacks STACKS;
    /** The one synthesis: templates and cdk-nag's messages are read from it (Template.fromStack would synthesize again each time). */
    static final CloudAssembly ASSEMBLY;

    private static final Map<Stack, Template> TEMPLATES = new HashMap<>();
    private static final Map<String, Map<String, Object>> JSON = new HashMap<>();

    static {
        var context = new HashMap<>(DuetApp.cdkJsonContext(INFRA.resolve("cdk.json")));
        context.put("duet:promotionsFile", "src/test/resources/promotions.csv");
        context.put("duet:functionsDir", "target/no-functions-here");
        var app = new App(AppProps.builder().context(context).build());
        STACKS = DuetApp.build(app, DeploymentConfig.from(key -> app.getNode().tryGetContext(key), INFRA), NOW);
        ASSEMBLY = app.synth();
        // Read every template now: an artifact reads its file lazily, and Annotations.fromStack synthesizes into
        // the same folder again.
        for (var artifact : ASSEMBLY.getStacks()) {
            @SuppressWarnings("unchecked")
            var template = (Map<String, Object>) artifact.getTemplate();
            JSON.put(artifact.getId(), template);
        }
    }

    private Fixture() {}

    static synchronized Template template(Stack stack) {
        return TEMPLATES.computeIfAbsent(stack, s -> Template.fromJSON(templateJson(s)));
    }

    static Map<String, Object> templateJson(Stack stack) {
        return JSON.get(stack.getArtifactId());
    }

    static DuetApp.RegionStacks region(String region) {
        return STACKS.regions().get(region);
    }

    static DuetApp.RegionStacks primary() {
        return region(STACKS.config().primaryRegion());
    }

    static DuetApp.RegionStacks secondary() {
        return region(STACKS.config().secondaryRegions().getFirst());
    }
}
