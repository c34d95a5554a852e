package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The scaling policies and alarms read metrics in namespace Duet that only the application writes
 * ({@code CloudWatchEmf} in the api module): every Duet metric name the stacks use, and its dimension, must be
 * one that class writes, and the services must turn it on.
 */
class EmfNamesTest {
    @Test
    void givenTheServicesStack_thenEveryDuetMetricItReadsIsOneTheApplicationWrites() throws Exception {
        Path root = Path.of(System.getProperty("duet.infra.dir", "."))
                .toAbsolutePath()
                .getParent();
        String stack = Files.readString(root.resolve("infra/src/main/java/io/duet/infra/services/ServicesStack.java"));
        String emf = Files.readString(root.resolve("api/src/main/java/io/duet/api/ops/CloudWatchEmf.java"));
        assertTrue(
                emf.contains("NAMESPACE = \"" + io.duet.infra.services.ServicesStack.METRICS_NAMESPACE + "\""),
                "namespace");
        Matcher used = Pattern.compile("duetMetric\\(\"(\\w+)\", Map\\.of\\(\"(\\w+)\"")
                .matcher(stack);
        int found = 0;
        while (used.find()) {
            found++;
            assertTrue(emf.contains("\"" + used.group(1) + "\""), "the application writes no metric " + used.group(1));
            assertTrue(
                    emf.contains("\"" + used.group(2) + "\""), "the application writes no dimension " + used.group(2));
        }
        assertTrue(found >= 4, "Duet metrics read by the stack: " + found);
        assertTrue(stack.contains("env.put(\"DUET_METRICS_EMF_ENABLED\", \"true\")"), "the services write the metrics");
        assertTrue(
                stack.contains("gatewayEnv.put(\"DUET_METRICS_EMF_SERVICE\", \"gateway\")"),
                "the gateway's Service dimension");
    }
}
