package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duet.api.testing.TestDb;
import io.micronaut.context.annotation.Property;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;

/**
 * A safe eviction policy is trusted only for {@code duet.queues.eviction-recheck}: a Redis that turns evicting
 * after the first check (reconfigured, or replaced by a failover) stops receiving jobs within that interval,
 * and they wait in the outbox until the policy is safe again.
 */
@MicronautTest(transactional = false)
@Property(name = "duet.outbox.mode", value = "inline")
@Property(name = "duet.queues.eviction-recheck", value = "200ms")
class EvictionRecheckTest {
    @Inject
    OutboxRelay relay;

    @Inject
    JobQueue jobs;

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    RedissonClient redis;

    @Test
    void givenPolicyTurnsEvictingAfterFirstCheck_whenJobsCommit_thenTheyWaitInTheOutbox() throws Exception {
        String queue = "recheck-" + UUID.randomUUID().toString().substring(0, 8);
        UUID first = enqueue(queue);
        assertEquals(0, unrelayed(first), "relayed by its commit");

        var node = redis.getRedisNodes(RedisNodes.SINGLE).getInstance();
        String before = node.getConfig("maxmemory-policy").get("maxmemory-policy");
        node.setConfig("maxmemory-policy", "allkeys-lru");
        UUID second;
        try {
            Thread.sleep(400); // the safe verdict of the first relay is now older than the recheck interval
            second = enqueue(queue);
            assertEquals(1, unrelayed(second), "a job relayed to an evicting Redis");
        } finally {
            node.setConfig("maxmemory-policy", before);
        }
        relay.relayInline();
        assertEquals(0, unrelayed(second), "relayed once the policy is safe");
    }

    private UUID enqueue(String queue) {
        return transactions.executeWrite(status -> jobs.enqueue(queue, "{}"));
    }

    private static long unrelayed(UUID job) throws Exception {
        return TestDb.count("SELECT count(*) FROM outbox_job WHERE job_id = ? AND relayed_seq IS NULL", job);
    }
}
