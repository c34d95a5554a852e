package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.realtime.protocol.Frames;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Redis loses a user's event log and seq counter while the user's WebSocket is open (a restart without
 * persistence, a failover without the last writes): the next events start again at seq 1, below the
 * connection's position. The connection must not drop them as duplicates: it sends {@code reset}, so the app
 * reloads from the API, where the messages are. (The promotion-day rehearsal found live clients missing
 * messages after Redis was emptied.)
 */
class LostLogTest {

    @Test
    void givenALiveWebSocket_whenRedisLosesTheUsersLog_thenTheNextEventBringsAResetNotSilence() throws Exception {
        EmbeddedServer node = Gateways.start(Gateways.freshNodeId("lostlog"), Map.of());
        try {
            Api api = new Api(node.getPort(), node.getApplicationContext().getBean(ObjectMapper.class));
            Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
            try (WsClient b =
                    WsClient.connect(node.getPort(), "token=" + pair.b().token())) {
                GatewayTest.awaitHeld(node, pair.b().id());
                for (int i = 1; i <= 3; i++) {
                    GatewayTest.send(api, pair.a(), "before " + i);
                }
                String third = b.next(Duration.ofSeconds(5), f -> f.contains("before 3"));
                long position = Frames.seqOf(third);
                assertTrue(position >= 3, third);

                RedissonClient redis = node.getApplicationContext().getBean(RedissonClient.class);
                assertEquals(
                        2,
                        redis.getKeys()
                                .delete(
                                        UserEvents.seqKey(pair.b().id()),
                                        UserEvents.logKey(pair.b().id())),
                        "the user's counter and log are gone");

                GatewayTest.send(api, pair.a(), "after the loss");

                String reset = b.next(Duration.ofSeconds(5), f -> f.contains("\"type\":\"reset\""));
                assertTrue(Frames.seqOf(reset) < position, "the log starts again below the old position: " + reset);
                assertTrue(
                        api.get("/v1/couple/messages?limit=1", pair.b().token())
                                .body()
                                .contains("after the loss"),
                        "the message the app reloads");
            }
        } finally {
            node.getApplicationContext().close();
        }
    }
}
