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

    /** One relay at a time across the fleet keeps each queue in insertion order; released at commit. */
    @Query("SELECT pg_try_advisory_xact_lock(:key)")
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
