package io.duet.api.queue;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
interface ProcessedJobRepository extends GenericRepository<OutboxJob, Long> {

    /** 1 when this call recorded the job, 0 when it was already processed. */
    @Query(
            "INSERT INTO processed_job (job_id, queue, processed_at) VALUES (:jobId, :queue, now()) ON CONFLICT DO NOTHING")
    int markProcessed(UUID jobId, String queue);

    @Query("DELETE FROM processed_job WHERE job_id IN "
            + "(SELECT job_id FROM processed_job WHERE processed_at < :cutoff LIMIT 10000)")
    int prune(Instant cutoff);
}
