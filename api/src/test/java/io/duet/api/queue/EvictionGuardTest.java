package io.duet.api.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

/** The queue refuses a Redis that may evict keys, and keeps the jobs in the outbox meanwhile. */
@MicronautTest(transactional = false)
@Property(name = "duet.outbox.mode", value = "inline")
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
            UUID job = transactions.executeWrite(status ->
                    jobs.enqueue("evict-" + UUID.randomUUID().toString().substring(0, 8), "{}"));

            assertThrows(EvictingRedisException.class, relay::relayBatch);

            assertEquals(1, TestDb.count("SELECT count(*) FROM outbox_job WHERE job_id = ?", job));
        } finally {
            node.setConfig("maxmemory-policy", before);
            streams.recheckEviction();
        }
        relay.relayInline();
    }
}
