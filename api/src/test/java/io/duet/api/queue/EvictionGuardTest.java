package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.duet.api.testing.TestDb;
import io.micronaut.context.annotation.Property;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;

/**
 * The queue refuses a Redis that may evict keys, and keeps the jobs in the outbox meanwhile. A safe policy is trusted
 * only for {@code duet.queues.eviction-recheck} (200 ms here), so a Redis that turns evicting later (reconfigured, or
 * replaced by a failover) is refused too.
 */
@MicronautTest(transactional = false)
@Property(name = "duet.outbox.mode", value = "inline")
@Property(name = "duet.queues.eviction-recheck", value = "200ms")
class EvictionGuardTest {
    @Inject
    OutboxRelay relay;

    @Inject
    JobStreams streams;

    @Inject
    JobQueue jobs;

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    RedissonClient redis;

    @Test
    void givenEvictingRedis_whenRelaying_thenRefusedAndJobKeptInOutbox() throws Exception {
        var node = redis.getRedisNodes(RedisNodes.SINGLE).getInstance();
        String before = node.getConfig("maxmemory-policy").get("maxmemory-policy");
        node.setConfig("maxmemory-policy", "allkeys-lru");
        try {
            streams.recheckEviction();
            UUID job = enqueue("evict-" + UUID.randomUUID().toString().substring(0, 8));
            assertEquals(1, unrelayed(job), "the commit's own inline relay was refused");

            assertThrows(EvictingRedisException.class, relay::relayBatch);

            assertEquals(1, TestDb.count("SELECT count(*) FROM outbox_job WHERE job_id = ?", job));
        } finally {
            node.setConfig("maxmemory-policy", before);
            streams.recheckEviction();
        }
        relay.relayInline();
    }

    /**
     * Worker threads check the policy when they start, so a check can be under way while ops (or a test)
     * changes the policy and asks for a recheck: that check's verdict is older than the recheck and must not
     * be kept. Checkers run in a loop while the policy flips from safe to evicting; each round, the next
     * check must see the evicting policy.
     */
    @Test
    void givenChecksUnderWay_whenPolicyFlipsToEvicting_thenNoOlderVerdictIsKept() throws Exception {
        var node = redis.getRedisNodes(RedisNodes.SINGLE).getInstance();
        String before = node.getConfig("maxmemory-policy").get("maxmemory-policy");
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> checkers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            checkers.add(Thread.ofPlatform().daemon(true).start(() -> {
                while (!stop.get()) {
                    try {
                        streams.requireNoEviction();
                    } catch (EvictingRedisException expected) {
                        // the policy is evicting in this part of the round
                    }
                }
            }));
        }
        try {
            for (int round = 0; round < 200; round++) {
                node.setConfig("maxmemory-policy", "noeviction");
                streams.recheckEviction();
                node.setConfig("maxmemory-policy", "allkeys-lru");
                streams.recheckEviction();
                assertThrows(EvictingRedisException.class, streams::requireNoEviction, "round " + round);
            }
        } finally {
            stop.set(true);
            for (Thread checker : checkers) {
                checker.join();
            }
            node.setConfig("maxmemory-policy", before);
            streams.recheckEviction();
        }
    }

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
