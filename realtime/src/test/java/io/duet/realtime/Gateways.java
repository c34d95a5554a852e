package io.duet.realtime;

import io.duet.api.testing.GatewayProcess;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Real gateway nodes in this JVM, each its own application context and server, sharing one Redis. */
final class Gateways {
    private Gateways() {}

    /** A node id no other test run on this machine uses (Redis pub/sub channels ignore the db number). */
    static String freshNodeId(String name) {
        return "t" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Tiny timeouts, so tests wait on them instead of sleeping. */
    static Map<String, Object> testSettings(String nodeId) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("duet.realtime.node-id", nodeId);
        properties.put("duet.realtime.heartbeat-interval", "1s");
        properties.put("duet.realtime.heartbeat-timeout", "5s");
        properties.put("duet.realtime.poll-hold", "2s");
        properties.put("duet.realtime.session-idle", "3s");
        properties.put("duet.realtime.registration-ttl", "3s");
        properties.put("duet.realtime.presence-grace", "500ms");
        properties.put("duet.realtime.typing-interval", "1s");
        properties.put("duet.realtime.outbox-bytes", "65536");
        properties.put("duet.realtime.reconnect-window", "2s");
        properties.put("duet.realtime.reconnect-min", "200ms");
        properties.put("duet.realtime.drain-grace", "1s");
        return properties;
    }

    /** A node with the same short timeouts in a JVM of its own (one a test can SIGKILL). */
    static Process startProcess(String nodeId) throws IOException {
        return GatewayProcess.start(nodeId, testSettings(nodeId));
    }

    static EmbeddedServer start(String nodeId, Map<String, Object> overrides) {
        Map<String, Object> properties = testSettings(nodeId);
        properties.putAll(overrides);
        return ApplicationContext.run(EmbeddedServer.class, properties, "test");
    }
}
