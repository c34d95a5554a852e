package io.duet.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks a service's Dockerfile against what it packages, since no image can be built here: the jar the
 * entry point runs is the one the build makes and is copied where the entry point looks, its manifest
 * names a main class the jar holds, the libraries it lists are copied beside it, the exposed port is the
 * one the service binds by default, the health check asks the liveness endpoint, and the user is not root.
 */
public final class ServiceRecipe {
    private ServiceRecipe() {}

    public static void assertRuns(Path dockerfile, Path jar, String mainClass) throws Exception {
        String recipe = Files.readString(dockerfile);

        Matcher entry = Pattern.compile("(?m)^ENTRYPOINT \\[\"java\", \"-jar\", \"(/app/[^\"]+\\.jar)\"]")
                .matcher(recipe);
        assertTrue(entry.find(), "ENTRYPOINT java -jar /app/<jar>");
        String runs = entry.group(1);
        assertTrue(
                recipe.contains("COPY target/" + jar.getFileName() + " " + runs), "the built jar is copied to " + runs);
        assertTrue(recipe.contains("COPY target/lib/ /app/lib/"), "the libraries are copied beside it");
        try (JarFile built = new JarFile(jar.toFile())) {
            assertEquals(mainClass, built.getManifest().getMainAttributes().getValue("Main-Class"));
            assertNotNull(built.getEntry(mainClass.replace('.', '/') + ".class"), "the main class is in the jar");
            for (String entryName : built.getManifest()
                    .getMainAttributes()
                    .getValue("Class-Path")
                    .split(" ")) {
                assertTrue(
                        Files.isRegularFile(jar.resolveSibling(entryName)),
                        "listed in the manifest but not built: " + entryName);
            }
        }

        Matcher expose = Pattern.compile("(?m)^EXPOSE (\\d+)$").matcher(recipe);
        assertTrue(expose.find(), "EXPOSE <port>");
        assertEquals(defaultPort(), Integer.parseInt(expose.group(1)), "the exposed port is the one the service binds");

        Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(recipe);
        assertTrue(user.find(), "USER");
        assertTrue(!List.of("0", "root").contains(user.group(1)), "runs as root");
        assertTrue(recipe.contains("HEALTHCHECK") && recipe.contains("/health/liveness"), "health check on liveness");
    }

    /** {@code micronaut.server.port} as the shipped application.yml sets it. */
    @SuppressWarnings("unchecked")
    private static int defaultPort() throws Exception {
        try (InputStream yml = ServiceRecipe.class.getClassLoader().getResourceAsStream("application.yml")) {
            Map<String, Object> root = new Yaml().load(yml);
            Map<String, Object> server =
                    (Map<String, Object>) ((Map<String, Object>) root.get("micronaut")).get("server");
            return ((Number) server.get("port")).intValue();
        }
    }
}
