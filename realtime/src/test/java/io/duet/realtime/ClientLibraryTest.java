package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.GatewayProcess;
import io.duet.api.testing.People;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.io.ByteArrayOutputStream;
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

/**
 * The JavaScript client ({@code clients/js}, built by this module's generate-resources phase) against real
 * gateway nodes: node 1 here, node 2 in its own JVM for the test that kills it. The scenarios are the
 * client's own Node tests ({@code clients/js/test}); this class starts what they run against, hands them
 * the ports, the test key and couples, and fails with their output when one fails.
 */
class ClientLibraryTest {
    private static final Path CLIENT =
            Path.of("..", "clients", "js").toAbsolutePath().normalize();

    @Test
    void givenRealGatewayNodes_whenTheClientsScenariosRun_thenEveryOnePasses() throws Exception {
        assertTrue(Files.isRegularFile(CLIENT.resolve("dist/index.js")), "clients/js is not built: " + CLIENT);
        EmbeddedServer node1 = Gateways.start(Gateways.freshNodeId("client1"), Map.of());
        Process node2 = Gateways.startProcess(Gateways.freshNodeId("client2"));
        try {
            int node2Port = GatewayProcess.awaitPort(node2);
            Api api = new Api(node1.getPort(), node1.getApplicationContext().getBean(ObjectMapper.class));
            List<String> couples = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Couples.Pair pair = Couples.pair(api, "Ana" + i, "Ben" + i);
                couples.add(
                        "{\"a\":\"" + pair.a().id() + "\",\"b\":\"" + pair.b().id() + "\"}");
            }

            ProcessBuilder node = new ProcessBuilder(
                            "node", "--experimental-websocket", "--test", "--test-reporter=spec", "test/")
                    .directory(CLIENT.toFile())
                    .redirectErrorStream(true);
            node.environment().put("DUET_NODE1_PORT", String.valueOf(node1.getPort()));
            node.environment().put("DUET_NODE2_PORT", String.valueOf(node2Port));
            node.environment().put("DUET_NODE2_PID", String.valueOf(node2.pid()));
            node.environment().put("DUET_JWT_SECRET", People.TEST_SECRET);
            node.environment().put("DUET_COUPLES", "[" + String.join(",", couples) + "]");
            node.environment().put("NO_COLOR", "1");
            Process tests = node.start();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    tests.getInputStream().transferTo(output);
                } catch (java.io.IOException e) {
                    // the process ended
                }
            });
            boolean ended = tests.waitFor(4, TimeUnit.MINUTES);
            if (!ended) {
                tests.destroyForcibly();
            }
            reader.join(5_000);
            String report = output.toString(StandardCharsets.UTF_8);
            System.out.println(report);
            assertTrue(ended, "the client's tests did not finish in 4 minutes:\n" + report);
            assertEquals(0, tests.exitValue(), "the client's tests failed:\n" + report);
            Matcher passed = Pattern.compile("(?m)^\\S+ pass (\\d+)$").matcher(report);
            assertTrue(
                    passed.find() && Integer.parseInt(passed.group(1)) >= 10,
                    "fewer scenarios ran than written:\n" + report);
        } finally {
            node2.destroyForcibly();
            node1.getApplicationContext().close();
        }
    }
}
