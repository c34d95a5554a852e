package io.duet.api.queue;

import io.micronaut.core.annotation.Introspected;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;
import java.util.Optional;

/**
 * The queues' runtime settings (handler slots per node, paused) that ops change through the ops API. PostgreSQL
 * is their record, so they hold through a Redis outage or data loss; every worker node reads them each refresh.
 * A queue without a row runs with the configured defaults. Rows are keyed by {@link JobStreams#settingKey}: the
 * Redis the queue runs on and its stream key.
 */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface QueueSettingRepository extends GenericRepository<OutboxJob, Long> {

    @Query("SELECT queue_key, concurrency, paused FROM queue_setting")
    List<QueueSetting> all();

    /**
     * Sets one queue's handler slots, leaving its pause as stored; {@code paused} is only for a queue without a row.
     * Each change writes only its own column, so two nodes changing different fields a refresh apart cannot undo
     * each other.
     */
    @Query("""
            INSERT INTO queue_setting (queue_key, concurrency, paused, updated_at)
            VALUES (:queueKey, :concurrency, :paused, now())
            ON CONFLICT (queue_key) DO UPDATE SET concurrency = excluded.concurrency, updated_at = excluded.updated_at""")
    void putConcurrency(String queueKey, int concurrency, boolean paused);

    /** Pauses or resumes one queue, leaving its handler slots as stored; {@code concurrency} is only for a new row. */
    @Query("""
            INSERT INTO queue_setting (queue_key, concurrency, paused, updated_at)
            VALUES (:queueKey, :concurrency, :paused, now())
            ON CONFLICT (queue_key) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at""")
    void putPaused(String queueKey, int concurrency, boolean paused);

    @Query("SELECT queue_key, concurrency, paused FROM queue_setting WHERE queue_key = :queueKey")
    Optional<QueueSetting> find(String queueKey);

    @Introspected
    record QueueSetting(String queueKey, int concurrency, boolean paused) {}
}
