package io.duet.api.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CloudWatch lines of a running node are Embedded Metric Format documents CloudWatch accepts: namespace
 * Duet, one per queue with its dimension and the three queue metrics, values equal to the node's own gauges,
 * and a timestamp in milliseconds.
 */
@MicronautTest(transactional = false)
class CloudWatchEmfTest {
    @Inject
    MeterRegistry meters;

    @Inject
    ObjectMapper json;

    @Test
    @SuppressWarnings("unchecked")
    void givenARunningNode_whenItsLinesAreWritten_thenEachIsAnEmfDocumentOfItsQueueGauges() throws Exception {
        Instant at = Instant.parse("2026-12-03T09:30:00Z");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        var emf = new CloudWatchEmf(
                meters,
                new CloudWatchEmf.EmfConfig(true, Duration.ofMinutes(1), "worker"),
                json,
                new PrintStream(buffer, true, StandardCharsets.UTF_8),
                Clock.fixed(at, ZoneOffset.UTC));

        emf.publish();

        List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
        Map<String, Map<String, Object>> byQueue = new HashMap<>();
        for (String line : lines) {
            Map<String, Object> document = json.readValue(line, Map.class);
            Map<String, Object> aws = (Map<String, Object>) document.get("_aws");
            assertEquals(at.toEpochMilli(), ((Number) aws.get("Timestamp")).longValue(), line);
            Map<String, Object> directive = ((List<Map<String, Object>>) aws.get("CloudWatchMetrics")).getFirst();
            assertEquals("Duet", directive.get("Namespace"), line);
            List<List<String>> dimensions = (List<List<String>>) directive.get("Dimensions");
            String dimension = dimensions.getFirst().getFirst();
            assertTrue(document.get(dimension) instanceof String, "the dimension's value is in the document: " + line);
            for (Map<String, Object> metric : (List<Map<String, Object>>) directive.get("Metrics")) {
                assertTrue(
                        document.get((String) metric.get("Name")) instanceof Number, metric + " has a value: " + line);
            }
            if (dimension.equals("Queue")) {
                byQueue.put((String) document.get("Queue"), document);
            }
        }
        assertTrue(byQueue.keySet().containsAll(List.of("email", "account-purge")), "queues: " + byQueue.keySet());
        Map<String, Object> email = byQueue.get("email");
        double depth =
                meters.find("duet.queue.depth").tag("queue", "email").gauge().value();
        assertEquals(depth, ((Number) email.get("QueueDepth")).doubleValue(), 1000, "QueueDepth is the node's gauge");
        assertTrue(email.containsKey("QueueOldestAge") && email.containsKey("QueueDeadLetters"), email.toString());
        assertEquals(
                0, ((Number) email.get("QueueDeadLetters")).intValue(), "no dead letters counted on the first line");
    }
}
