package io.duet.api.queue;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/** A job waiting in PostgreSQL to be relayed to its Redis stream. */
@MappedEntity("outbox_job")
record OutboxJob(
        @Id @GeneratedValue @Nullable Long position, UUID jobId, String queue, String payload, Instant createdAt) {}
