package io.duet.api.testing;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A gateway node in its own JVM, on the class path of the JVM that starts it: for the tests that kill one
 * abruptly (SIGKILL: no drain, no cleanup) and for the realtime benchmark. {@code args}: the node id, then
 * {@code key=value} settings (the callers pass the tests' short timeouts or nothing, to keep production's).
 * The node prints {@code PORT <port>} once it listens; on stdin, {@code heap} answers {@code HEAP <bytes used
 * after a GC>}.
 */
public final class GatewayProcess {
    private GatewayProcess() {}

    /** Starts node {@code nodeId} with {@code settings} on top of the test configuration. */
    public static Process start(String nodeId, Map<String, ?> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                GatewayProcess.class.getName(),
                nodeId));
        settings.forEach((key, value) -> command.add(key + "=" + value));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** The port the node printed once it listens; its further output is read and dropped. */
    public static int awaitPort(Process process) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        long deadline = System.nanoTime() + 60_000_000_000L;
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
            if (line.startsWith("PORT ")) {
                Thread.ofVirtual().start(() -> {
                    try {
                        out.transferTo(Writer.nullWriter());
                    } catch (IOException e) {
                        // the process is gone
                    }
                });
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        throw new AssertionError("gateway process did not start");
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> properties = new HashMap<>();
        properties.put("duet.queues.workers-enabled", false);
        properties.put("micronaut.server.port", -1);
        for (int i = 1; i < args.length; i++) {
            int equals = args[i].indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("settings are key=value, not: " + args[i]);
            }
            properties.put(args[i].substring(0, equals), args[i].substring(equals + 1));
        }
        properties.put("duet.realtime.node-id", args[0]);
        EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties, "test");
        System.out.println("PORT " + server.getPort());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.trim().equals("heap")) {
                System.gc();
                Thread.sleep(200);
                System.gc();
                System.out.println("HEAP "
                        + ManagementFactory.getMemoryMXBean()
                                .getHeapMemoryUsage()
                                .getUsed());
                System.out.flush();
            }
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
