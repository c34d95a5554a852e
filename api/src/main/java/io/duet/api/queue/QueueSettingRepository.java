package io.duet.api.queue;

import io.micronaut.core.annotation.Introspected;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;

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

    @Query("""
            INSERT INTO queue_setting (queue_key, concurrency, paused, updated_at)
            VALUES (:queueKey, :concurrency, :paused, now())
            ON CONFLICT (queue_key) DO UPDATE SET concurrency = excluded.concurrency, paused = excluded.paused,
                updated_at = excluded.updated_at""")
    void put(String queueKey, int concurrency, boolean paused);

    @Introspected
    record QueueSetting(String queueKey, int concurrency, boolean paused) {}
}
