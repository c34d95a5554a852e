package io.duet.api.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI document the build generates from the controllers ({@code /openapi.yml}) is one a client
 * generator can trust: Redocly's linter ({@code tools/openapi-lint}, installed by this test with {@code npm ci}
 * from its lock file) finds no error in it, and every {@code /v1} and {@code /ops} operation lists its
 * problem responses as {@code application/problem+json}, and every JSON body it declares, in or out, has an
 * example.
 */
class OpenApiLintTest {
    private static final String DOCUMENT = "META-INF/swagger/duet-v1.yml";

    @Test
    void givenTheGeneratedDocument_thenRedoclyFindsNoError() throws Exception {
        Path tool = Repository.root().resolve("tools/openapi-lint");
        if (!Files.isDirectory(tool.resolve("node_modules/@redocly/cli"))) {
            run(tool, 600, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        }
        Path document = Files.createTempFile("duet-openapi-", ".yml");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(DOCUMENT)) {
            Files.copy(in, document, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String report = run(
                tool,
                120,
                "node",
                "node_modules/@redocly/cli/bin/cli.js",
                "lint",
                "--config",
                "redocly.yaml",
                "--format=json",
                document.toString());
        Matcher totals = Pattern.compile("\"totals\":\\s*\\{\\s*\"errors\":\\s*(\\d+),\\s*\"warnings\":\\s*(\\d+)")
                .matcher(report);
        assertTrue(totals.find(), report);
        assertEquals(0, Integer.parseInt(totals.group(1)), "Redocly errors in the OpenAPI document:\n" + report);
    }

    @Test
    @SuppressWarnings("unchecked")
    void givenEveryOperation_thenItListsItsProblemsAndEveryJsonBodyHasAnExample() throws IOException {
        Map<String, Object> document;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(DOCUMENT)) {
            document = new Yaml().load(in);
        }
        Map<String, Object> schemas =
                (Map<String, Object>) ((Map<String, Object>) document.get("components")).get("schemas");
        List<String> missing = new ArrayList<>();
        int operations = 0;
        for (var path : ((Map<String, Map<String, Object>>) document.get("paths")).entrySet()) {
            if (!path.getKey().startsWith("/v1/") && !path.getKey().startsWith("/ops/")) {
                continue;
            }
            for (var operation : path.getValue().entrySet()) {
                String name = operation.getKey().toUpperCase() + " " + path.getKey();
                Map<String, Object> op = (Map<String, Object>) operation.getValue();
                operations++;
                Map<String, Object> responses = (Map<String, Object>) op.get("responses");
                boolean problems = responses.entrySet().stream()
                        .anyMatch(r -> r.getKey().matches("[45]\\d\\d")
                                && content(r.getValue()).containsKey(Problem.MEDIA_TYPE));
                if (!problems) {
                    missing.add(name + ": no problem response");
                }
                if (op.get("requestBody") != null) {
                    checkExamples(name + " request", content(op.get("requestBody")), schemas, missing);
                }
                for (var response : responses.entrySet()) {
                    checkExamples(name + " " + response.getKey(), content(response.getValue()), schemas, missing);
                }
            }
        }
        assertTrue(operations >= 29, "operations found: " + operations);
        assertTrue(missing.isEmpty(), String.join("\n", missing));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> content(Object described) {
        Object content = ((Map<String, Object>) described).get("content");
        return content == null ? Map.of() : (Map<String, Object>) content;
    }

    @SuppressWarnings("unchecked")
    private static void checkExamples(
            String where, Map<String, Object> content, Map<String, Object> schemas, List<String> missing) {
        for (var media : content.entrySet()) {
            if (!media.getKey().contains("json")) {
                continue;
            }
            Map<String, Object> body = (Map<String, Object>) media.getValue();
            if (body.containsKey("example") || body.containsKey("examples")) {
                continue;
            }
            if (!hasExample((Map<String, Object>) body.get("schema"), schemas, 0)) {
                missing.add(where + " " + media.getKey() + ": no example");
            }
        }
    }

    /** A schema has an example when it or, for an object, one of its properties (through references) has one. */
    @SuppressWarnings("unchecked")
    private static boolean hasExample(Map<String, Object> schema, Map<String, Object> schemas, int depth) {
        if (schema == null || depth > 4) {
            return false;
        }
        if (schema.containsKey("example")) {
            return true;
        }
        if (schema.get("$ref") instanceof String ref) {
            return hasExample(
                    (Map<String, Object>) schemas.get(ref.substring(ref.lastIndexOf('/') + 1)), schemas, depth + 1);
        }
        if (schema.get("items") instanceof Map<?, ?> items) {
            return hasExample((Map<String, Object>) items, schemas, depth + 1);
        }
        for (String combined : List.of("allOf", "oneOf", "anyOf")) {
            if (schema.get(combined) instanceof List<?> parts
                    && parts.stream().anyMatch(part -> hasExample((Map<String, Object>) part, schemas, depth + 1))) {
                return true;
            }
        }
        if (schema.get("properties") instanceof Map<?, ?> properties) {
            return properties.values().stream().anyMatch(p -> hasExample((Map<String, Object>) p, schemas, depth + 1));
        }
        return false;
    }

    private static String run(Path dir, int seconds, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("duet-lint-", ".out");
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(false)
                .redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + " s");
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0 && !text.contains("\"totals\"")) {
            throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "):\n" + text);
        }
        return text;
    }
}
