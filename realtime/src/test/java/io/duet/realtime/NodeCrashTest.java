package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.GatewayProcess;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Node 2 runs in its own JVM and is killed with SIGKILL: B resumes on node 1 and loses nothing. */
class NodeCrashTest {

    @Test
    void givenNode2KilledAbruptly_whenBReconnectsToNode1_thenItResumesWithoutLoss() throws Exception {
        EmbeddedServer node1 = Gateways.start(Gateways.freshNodeId("one"), Map.of());
        String node2Id = Gateways.freshNodeId("two");
        Process node2 = Gateways.startProcess(node2Id);
        try {
            int node2Port = GatewayProcess.awaitPort(node2);
            ObjectMapper json = node1.getApplicationContext().getBean(ObjectMapper.class);
            UserEvents events = node1.getApplicationContext().getBean(UserEvents.class);
            Api api = new Api(node1.getPort(), json);
            Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
            List<Long> seen = new ArrayList<>();
            WsClient b = WsClient.connect(node2Port, "token=" + pair.b().token());
            awaitRegistered(node1, pair.b().id(), node2Id);
            for (int i = 1; i <= 3; i++) {
                GatewayTest.send(api, pair.a(), "before crash " + i);
            }
            for (String frame : b.collect(3, Duration.ofSeconds(5), f -> f.contains("message.created"))) {
                seen.add(GatewayTest.seq(frame));
            }
            assertEquals(3, seen.size());

            node2.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (int i = 1; i <= 5; i++) {
                GatewayTest.send(api, pair.a(), "after crash " + i);
            }
            String lost = b.closeCode(Duration.ofSeconds(5));
            try (WsClient again =
                    WsClient.connect(node1.getPort(), "token=" + pair.b().token() + "&after=" + seen.getLast())) {
                for (String frame : again.collect(5, Duration.ofSeconds(5), f -> GatewayTest.seq(f) > 0)) {
                    seen.add(GatewayTest.seq(frame));
                }
            }

            assertTrue(lost.startsWith("error") || lost.startsWith("1006"), lost);
            assertEquals(8, seen.size(), seen.toString());
            for (int i = 1; i < seen.size(); i++) {
                assertEquals(seen.get(i - 1) + 1, seen.get(i), seen.toString());
            }
            assertEquals(events.lastSeq(pair.b().id()), seen.getLast());
        } finally {
            node2.destroyForcibly();
            node1.getApplicationContext().close();
        }
    }

    private static void awaitRegistered(EmbeddedServer any, UUID user, String nodeId) throws Exception {
        var redis = any.getApplicationContext().getBean(org.redisson.api.RedissonClient.class);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!redis.getScoredSortedSet(UserEvents.nodesKey(user)).contains(nodeId)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not registered");
            }
            Thread.sleep(20);
        }
        Thread.sleep(200);
    }
}
