package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.snapshot.SnapshotRandom;
import io.duet.api.testing.Await;
import io.duet.api.testing.TestDb;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lambda's life cycle around the API function: connections opened at init, checked after a pause that
 * may have been a freeze, closed before a SnapStart snapshot and reopened (with reseeded randomness)
 * after the restore. The connections are looked at from the servers' side.
 */
class LambdaLifecycleTest {
    private static final String APPLICATION =
            "duet-fn-" + UUID.randomUUID().toString().substring(0, 8);
    static ApiHandler api;
    static Connections connections;
    static SnapStartHooks hooks;

    @BeforeAll
    static void start() {
        api = new ApiHandler(TestFunctions.start(Map.of(
                "duet.function.freeze-check-after", "200ms",
                "datasources.default.data-source-properties.ApplicationName", APPLICATION,
                "duet.redis.client-name", APPLICATION)));
        connections = api.getApplicationContext().getBean(Connections.class);
        hooks = api.getApplicationContext().getBean(SnapStartHooks.class);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void givenInitDone_whenNoRequestYet_thenOneDatabaseConnectionAndRedisAreOpen() throws Exception {
        awaitDatabaseSessions(1);
        assertTrue(RedisClients.count(APPLICATION) >= 1);
    }

    @Test
    void givenServersDroppedConnectionsDuringFreeze_whenNextInvocation_thenCheckedAndServed() throws Exception {
        assertSignUpServed();
        int checksBefore = connections.checks();

        TestDb.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + APPLICATION
                + "'");
        RedisClients.kill(APPLICATION);
        Thread.sleep(400);
        assertSignUpServed();

        assertEquals(checksBefore + 1, connections.checks());
        awaitDatabaseSessions(1);
    }

    @Test
    void givenSnapshotComing_whenHooksRun_thenNothingOpenInTheSnapshotAndAllReopenedAfterRestore() throws Exception {
        hooks.beforeCheckpoint(null);
        try {
            assertEquals(0, connections.openDatabaseConnections());
            awaitDatabaseSessions(0);
            Await.until(Duration.ofSeconds(5), () -> RedisClients.count(APPLICATION), count -> count == 0);
        } finally {
            // A suspended pool makes every later borrower wait for ever: restore even when an assertion failed.
            hooks.afterRestore(null);
        }

        awaitDatabaseSessions(1);
        assertTrue(RedisClients.count(APPLICATION) >= 1);
        assertSignUpServed();
    }

    @Test
    void givenTwoGeneratorsWithTheSameState_whenRestoredOneIsReseeded_thenTheyDiverge() throws Exception {
        SecureRandom restored = SecureRandom.getInstance("SHA1PRNG");
        restored.setSeed(42);
        SecureRandom twin = SecureRandom.getInstance("SHA1PRNG");
        twin.setSeed(42);
        SnapshotRandom.register(restored);

        hooks.afterRestore(null);

        assertNotEquals(twin.nextLong(), restored.nextLong());
    }

    /** A signup: PostgreSQL for the account, Redis for the rate limits and for the inline relay of its email job. */
    private static void assertSignUpServed() throws Exception {
        var response = FunctionHandlersTest.invoke(
                api, "POST", "/v1/accounts", Map.of(), FunctionHandlersTest.signUpBody(FunctionHandlersTest.fresh()));
        assertEquals(202, response.getStatusCode(), response.getBody());
        assertEquals(
                0,
                TestDb.count("SELECT count(*) FROM outbox_job WHERE relayed_seq IS NULL"),
                "the job was relayed to Redis");
    }

    private static void awaitDatabaseSessions(long expected) throws Exception {
        Await.until(
                Duration.ofSeconds(5),
                () -> TestDb.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", APPLICATION),
                count -> count == expected);
    }
}
