package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.FreePort;
import io.duet.api.testing.PrivateRedis;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node that starts while its Redis is away (a deploy racing a Redis failover) serves, and subscribes to
 * its fan-out channel once Redis answers. The node's Redis here is a redis-server of the test's own on a
 * port of its own, started after the node.
 */
class FanoutRecoveryTest {

    @Test
    void givenRedisAwayWhenTheNodeStarts_whenRedisComesBack_thenTheNodeSubscribesToItsChannel() throws Exception {
        int port = FreePort.get();
        String nodeId = Gateways.freshNodeId("away");
        try (EmbeddedServer node = Gateways.start(
                nodeId,
                Map.of("duet.redis.uri", "redis://127.0.0.1:" + port + "/0", "duet.queues.workers-enabled", false))) {
            assertTrue(node.isRunning());

            try (PrivateRedis redis = PrivateRedis.on(port)) {
                String channel = UserEvents.nodeChannel(nodeId);
                long deadline = System.nanoTime() + 15_000_000_000L;
                String channels = "";
                while (System.nanoTime() < deadline && !channels.contains(channel)) {
                    Thread.sleep(200);
                    channels = pubsubChannels(port);
                }

                assertTrue(channels.contains(channel), "subscribed channels: " + channels);
            }
        }
    }

    private static String pubsubChannels(int port) throws Exception {
        Process cli = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "PUBSUB", "CHANNELS")
                .redirectErrorStream(true)
                .start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        cli.waitFor();
        return out;
    }
}
