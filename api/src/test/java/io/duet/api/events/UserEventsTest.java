package io.duet.api.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

@MicronautTest(transactional = false)
class UserEventsTest {
    @Inject
    UserEvents events;

    @Inject
    RedissonClient redis;

    @Inject
    EventLogConfig config;

    @Test
    void givenEvents_thenEachUserHasItsOwnIncreasingSeq_andResumeGivesExactlyWhatWasMissed() {
        UUID ada = UUID.randomUUID();
        UUID bo = UUID.randomUUID();
        events.publish(List.of(ada, bo), "nudge", Map.of("n", 1));
        events.publish(ada, "message.created", Map.of("text", "quote \" and \\ and ünïcödé"));
        events.publish(ada, "nudge", Map.of("n", 3));

        UserEvents.Page all = events.read(ada, 0, 100);
        assertEquals(3, all.lastSeq());
        assertFalse(all.gap());
        assertEquals(
                List.of(
                        "{\"seq\":1,\"type\":\"nudge\",\"data\":{\"n\":1}}",
                        "{\"seq\":2,\"type\":\"message.created\",\"data\":{\"text\":\"quote \\\" and \\\\ and ünïcödé\"}}",
                        "{\"seq\":3,\"type\":\"nudge\",\"data\":{\"n\":3}}"),
                all.events());
        assertEquals(
                List.of("{\"seq\":1,\"type\":\"nudge\",\"data\":{\"n\":1}}"),
                events.read(bo, 0, 100).events());

        assertEquals(List.of(all.events().get(2)), events.read(ada, 2, 100).events());
        assertEquals(List.of(all.events().get(1)), events.read(ada, 1, 1).events());
        UserEvents.Page upToDate = events.read(ada, 3, 100);
        assertTrue(upToDate.events().isEmpty());
        assertFalse(upToDate.gap());
        // A position the log never reached (the client is from another life of Redis): reset.
        assertTrue(events.read(ada, 7, 100).gap());
    }

    @Test
    void givenMoreEventsThanKept_thenOldPositionsAreAGap_andRecentOnesResume() {
        UUID user = UUID.randomUUID();
        int total = config.maxEvents() + 500;
        for (int i = 1; i <= total; i++) {
            events.publish(user, "nudge", Map.of("n", i));
        }
        long length = redis.getStream(UserEvents.logKey(user)).size();
        assertTrue(length >= config.maxEvents() && length < total, "log length " + length);
        assertTrue(events.read(user, 0, 10).gap());
        UserEvents.Page recent = events.read(user, total - 5, 10);
        assertFalse(recent.gap());
        assertEquals(5, recent.events().size());
        assertTrue(recent.events().getLast().startsWith("{\"seq\":" + total + ","));
        assertTrue(redis.getStream(UserEvents.logKey(user)).remainTimeToLive()
                > Duration.ofHours(24).toMillis());
    }

    @Test
    void givenTheCounterLost_thenSeqContinuesAfterTheLog() {
        UUID user = UUID.randomUUID();
        events.publish(user, "nudge", Map.of());
        events.publish(user, "nudge", Map.of());
        redis.getBucket(UserEvents.seqKey(user)).delete();
        events.publish(user, "nudge", Map.of());
        List<String> log = events.read(user, 0, 10).events();
        assertEquals(3, log.size(), log.toString());
        assertTrue(log.get(2).startsWith("{\"seq\":3,"));
    }

    @Test
    void givenRegisteredNodes_thenEventsAreFannedOutToThemOnly_untilTheRegistrationLapses() throws Exception {
        UUID user = UUID.randomUUID();
        String node = "test-node-" + UUID.randomUUID();
        List<String> received = new CopyOnWriteArrayList<>();
        var topic = redis.getTopic(UserEvents.nodeChannel(node));
        int listener = topic.addListener(String.class, (channel, message) -> received.add(message));
        try {
            events.publish(user, "nudge", Map.of("before", true));
            // long enough that a pause of the test thread before the publish does not outlast it
            events.registerNode(user, node, Duration.ofSeconds(2));
            events.publish(user, "nudge", Map.of("registered", true));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(List.of(user + " {\"seq\":2,\"type\":\"nudge\",\"data\":{\"registered\":true}}"), received);
            Thread.sleep(2_200);
            events.publish(user, "nudge", Map.of("lapsed", true));
            events.registerNode(user, node, Duration.ofSeconds(5));
            events.unregisterNode(user, node);
            events.publish(user, "nudge", Map.of("unregistered", true));
            Thread.sleep(300);
            assertEquals(1, received.size(), received.toString());
        } finally {
            topic.removeListener(listener);
        }
    }
}
