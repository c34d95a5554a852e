package io.duet.api.queue;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
interface OutboxRepository extends GenericRepository<OutboxJob, Long> {

    OutboxJob save(OutboxJob job);

    /**
     * One relay at a time across the fleet keeps each queue in insertion order; released at commit. The
     * same round trip turns off {@code synchronous_commit} for the relay's transaction: if PostgreSQL
     * crashes and forgets the relay's delete, the jobs are relayed again and de-duplicated by
     * processed_job, so nothing is lost either way.
     */
    @Query("SELECT pg_try_advisory_xact_lock(:key) AND set_config('synchronous_commit', 'off', true) = 'off'")
    boolean tryRelayLock(long key);

    @Query("SELECT * FROM outbox_job ORDER BY position LIMIT :limit")
    List<OutboxJob> oldest(int limit);

    /** One statement shape whatever the batch size, so PostgreSQL and the driver reuse its plan. */
    @Query("DELETE FROM outbox_job WHERE position = ANY(:positions)")
    void deleteRelayed(Long[] positions);

    @Query("SELECT count(*) FROM outbox_job")
    long backlog();

    @Query("SELECT min(created_at) FROM outbox_job")
    @Nullable
    Instant oldestCreatedAt();
}
