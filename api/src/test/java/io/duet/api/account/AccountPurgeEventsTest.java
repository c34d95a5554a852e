package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.api.testing.Couples;
import io.duet.api.testing.TestDb;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The purge of a deleted account removes its Redis event log (which holds message texts), its seq and
 * its node registrations; the partner's log, like the couple's history, stays.
 */
@MicronautTest(transactional = false)
class AccountPurgeEventsTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    UserEvents events;

    @Inject
    RedissonClient redis;

    @Test
    void givenAccountWithMessagesInItsLog_whenDeletedAndPurged_thenItsLogKeysAreGone() throws Exception {
        Api api = new Api(server.getPort(), json);
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        UUID ada = pair.a().id();
        assertEquals(
                201,
                api.post(
                                "/v1/couple/messages",
                                Map.of("clientId", UUID.randomUUID().toString(), "text", "a secret"),
                                pair.a().token())
                        .status());
        assertEquals(
                201,
                api.post(
                                "/v1/couple/messages",
                                Map.of("clientId", UUID.randomUUID().toString(), "text", "a reply"),
                                pair.b().token())
                        .status());
        events.registerNode(ada, "node-purge-test", Duration.ofMinutes(5));
        assertTrue(events.read(ada, 0, 100).events().stream().anyMatch(e -> e.contains("a secret")));
        assertEquals(
                3,
                redis.getKeys().countExists(UserEvents.logKey(ada), UserEvents.seqKey(ada), UserEvents.nodesKey(ada)));

        assertEquals(202, api.delete("/v1/me", pair.a().token()).status());

        Await.until(
                Duration.ofSeconds(15),
                () -> TestDb.count("SELECT count(*) FROM account WHERE id = ?", ada),
                n -> n == 0);
        assertEquals(
                0,
                redis.getKeys().countExists(UserEvents.logKey(ada), UserEvents.seqKey(ada), UserEvents.nodesKey(ada)));
        assertTrue(
                events.read(pair.b().id(), 0, 100).events().stream().anyMatch(e -> e.contains("a reply")),
                "the partner's log is theirs");
    }
}
