package io.duet.api.queue;

import io.micronaut.core.annotation.Introspected;
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

    /** The oldest jobs not yet relayed (the partial index holds only those). */
    @Query(
            "SELECT position, job_id, queue, payload, created_at FROM outbox_job WHERE relayed_seq IS NULL ORDER BY position LIMIT :limit")
    List<OutboxJob> oldest(int limit);

    /**
     * Marks jobs as relayed by the relay batch {@code seq} of Redis's {@code epoch}; the rows stay until their
     * jobs are processed. One statement shape whatever the batch size, so PostgreSQL reuses its plan.
     */
    @Query(
            "UPDATE outbox_job SET relayed_to = :target, relayed_epoch = :epoch, relayed_seq = :seq WHERE position = ANY(:positions)")
    void markRelayed(Long[] positions, String target, String epoch, long seq);

    /**
     * Relayed jobs that Redis no longer holds, and whose effect is not recorded, become unrelayed again: those
     * relayed under another epoch (Redis restarted empty) or after the last batch Redis still has (a failover
     * lost the latest writes; Redis applies and replicates the batches in order).
     */
    @Query("""
            UPDATE outbox_job o SET relayed_epoch = NULL, relayed_seq = NULL
            WHERE o.relayed_seq IS NOT NULL AND o.relayed_to = :target
              AND (o.relayed_epoch IS DISTINCT FROM :epoch OR o.relayed_seq > :seq)
              AND NOT EXISTS (SELECT 1 FROM processed_job p WHERE p.job_id = o.job_id)""")
    int unrelayLost(String target, @Nullable String epoch, long seq);

    /** Rows of jobs whose effect is recorded: PostgreSQL no longer needs to remember them. */
    @Query("""
            DELETE FROM outbox_job o USING processed_job p
            WHERE o.relayed_seq IS NOT NULL AND p.job_id = o.job_id""")
    int deleteProcessed();

    /**
     * What worker nodes publish as metrics, in one round trip, at a cost that does not grow with the backlog
     * (each node samples it every second, also while Redis is away and the outbox fills): jobs not yet relayed,
     * counted exactly up to {@code exactUpTo} and above that estimated as the span of their positions (an upper
     * bound: rolled-back inserts leave gaps); when the next job to relay was enqueued; and the table's dead row
     * versions by PostgreSQL's statistics (every job leaves two, the relay's mark and the delete once processed;
     * they go only when the table is vacuumed).
     */
    @Query("""
            SELECT CASE WHEN counted.n < greatest(:exactUpTo, 1) THEN counted.n
                        ELSE (SELECT max(position) FROM outbox_job WHERE relayed_seq IS NULL) - head.position + 1
                   END AS backlog,
                   head.created_at AS oldest,
                   (SELECT coalesce(max(n_dead_tup), 0) FROM pg_stat_user_tables
                    WHERE relname = 'outbox_job' AND schemaname = current_schema()) AS dead_rows
            FROM (SELECT count(*) AS n
                  FROM (SELECT 1 FROM outbox_job WHERE relayed_seq IS NULL LIMIT greatest(:exactUpTo, 1)) unrelayed) counted
            LEFT JOIN LATERAL (
                SELECT position, created_at FROM outbox_job WHERE relayed_seq IS NULL ORDER BY position LIMIT 1
            ) head ON true""")
    OutboxHealth health(long exactUpTo);

    @Introspected
    record OutboxHealth(long backlog, @Nullable Instant oldest, long deadRows) {}
}
