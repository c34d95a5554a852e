package io.duet.realtime;

import io.micronaut.runtime.server.EmbeddedServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A gateway node in its own JVM: for the test that kills one abruptly (SIGKILL: no drain, no cleanup) and
 * for the benchmark. {@code args}: node id, then {@code defaults} to keep the production timeouts, then
 * {@code key=value} properties. On stdin, {@code heap} answers {@code HEAP <bytes used after a GC>}.
 */
public final class GatewayProcess {
    private GatewayProcess() {}

    /** Starts a node with the tests' short timeouts ({@link Gateways#testSettings}) in a JVM of its own. */
    static Process start(String nodeId) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-XX:TieredStopAtLevel=1",
                        "-Xshare:auto",
                        "-cp",
                        System.getProperty("java.class.path"),
                        GatewayProcess.class.getName(),
                        nodeId)
                .redirectErrorStream(true)
                .start();
    }

    /** The port the node printed once it listens; its further output is read and dropped. */
    static int awaitPort(Process process) throws IOException {
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
        boolean defaults = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("defaults")) {
                defaults = true;
            } else if (args[i].contains("=")) {
                properties.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
            }
        }
        EmbeddedServer server;
        if (defaults) {
            properties.put("duet.realtime.node-id", args[0]);
            properties.putIfAbsent("micronaut.server.port", -1);
            server = io.micronaut.context.ApplicationContext.run(EmbeddedServer.class, properties, "test");
        } else {
            server = Gateways.start(args[0], properties);
        }
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
