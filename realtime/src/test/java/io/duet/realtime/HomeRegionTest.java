package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.api.testing.Couples;
import io.duet.api.testing.PrivateRedis;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Two regions on one machine: each its own Redis and its own API + gateway node, one PostgreSQL (the primary
 * writer every region writes to). A couple homed in region A gets the event of a call region B served, on A's
 * gateway, because the event goes to A's Redis; the same the other way round; and nothing of one couple reaches
 * the other couple's clients or the other region's Redis.
 */
class HomeRegionTest {
    private static final String REDIS_A = "redis://127.0.0.1:6379/0";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void givenTwoRegions_whenACallIsServedOutsideTheCouplesHome_thenItsEventReachesTheHomeGatewayAndNothingCrosses()
            throws Exception {
        PrivateRedis serverB = PrivateRedis.start();
        String redisB = serverB.uri();
        EmbeddedServer a = null;
        EmbeddedServer b = null;
        try {
            a = Gateways.start(Gateways.freshNodeId("rega"), region("region-a", REDIS_A, "region-b", redisB));
            b = Gateways.start(Gateways.freshNodeId("regb"), region("region-b", redisB, "region-a", REDIS_A));
            ObjectMapper json = a.getApplicationContext().getBean(ObjectMapper.class);
            Api apiA = new Api(a.getPort(), json);
            Api apiB = new Api(b.getPort(), json);
            RedissonClient redisOfA = a.getApplicationContext().getBean(RedissonClient.class);
            RedissonClient redisOfB = b.getApplicationContext().getBean(RedissonClient.class);

            // Each couple pairs in its region, which becomes its home; the API of either region says where.
            Couples.Pair homedInA = Couples.pair(apiA, "Ada", "Bo");
            Couples.Pair homedInB = Couples.pair(apiB, "Cy", "Di");
            assertEquals("ws://a.test/v1/realtime", coupleGateway(apiB, homedInA));
            assertEquals("ws://b.test/v1/realtime", coupleGateway(apiA, homedInB));

            try (WsClient adaOnA = WsClient.connect(
                            a.getPort(), "token=" + homedInA.a().token());
                    WsClient cyOnB = WsClient.connect(
                            b.getPort(), "token=" + homedInB.a().token())) {
                awaitRegistered(redisOfA, homedInA.a().id());
                awaitRegistered(redisOfB, homedInB.a().id());

                // Each partner's call is served by the other region.
                GatewayTest.send(apiB, homedInA.b(), "from Bo via region B");
                GatewayTest.send(apiA, homedInB.b(), "from Di via region A");

                String toAda = adaOnA.next(WAIT, f -> f.contains("message.created"));
                String toCy = cyOnB.next(WAIT, f -> f.contains("message.created"));
                assertTrue(toAda.contains("from Bo via region B"), toAda);
                assertTrue(toCy.contains("from Di via region A"), toCy);

                // Nothing crosses: no further event for either, and each couple's logs are in its home Redis only.
                assertEquals(List.of(), adaOnA.collect(1, Duration.ofMillis(700), f -> f.contains("message.created")));
                assertEquals(List.of(), cyOnB.collect(1, Duration.ofMillis(100), f -> f.contains("message.created")));
                for (UUID user : List.of(homedInA.a().id(), homedInA.b().id())) {
                    assertTrue(hasLog(redisOfA, user));
                    assertFalse(hasLog(redisOfB, user), "couple homed in A has no log in region B's Redis");
                }
                for (UUID user : List.of(homedInB.a().id(), homedInB.b().id())) {
                    assertTrue(hasLog(redisOfB, user));
                    assertFalse(hasLog(redisOfA, user), "couple homed in B has no log in region A's Redis");
                }
            }
        } finally {
            if (a != null) {
                a.getApplicationContext().close();
            }
            if (b != null) {
                b.getApplicationContext().close();
            }
            serverB.close();
        }
    }

    /** A region's node: its name, its Redis, the other region's Redis, and both regions' gateway URLs. */
    private static Map<String, Object> region(String name, String redis, String other, String otherRedis) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("duet.couples.region", name);
        settings.put("duet.redis.uri", redis);
        settings.put("duet.redis.regions." + other, otherRedis);
        settings.put("duet.couples.gateway-urls.region-a", "ws://a.test/v1/realtime");
        settings.put("duet.couples.gateway-urls.region-b", "ws://b.test/v1/realtime");
        settings.put("duet.queues.workers-enabled", false);
        return settings;
    }

    private static String coupleGateway(Api api, Couples.Pair pair) throws Exception {
        Api.Answer couple = api.get("/v1/couple", pair.b().token());
        assertEquals(200, couple.status(), couple.body());
        return (String) couple.json().get("gatewayUrl");
    }

    private static boolean hasLog(RedissonClient redis, UUID user) {
        return redis.getKeys().countExists(UserEvents.logKey(user), UserEvents.seqKey(user)) > 0;
    }

    private static void awaitRegistered(RedissonClient redis, UUID user) throws Exception {
        Await.until(
                WAIT, () -> redis.getScoredSortedSet(UserEvents.nodesKey(user)).size(), n -> n > 0);
    }
}
