package io.duet.api.queue;

import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.transaction.annotation.Transactional;
import io.micronaut.transaction.TransactionDefinition;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where features hand over asynchronous work. {@link #enqueue} writes the job into the outbox table in
 * the caller's transaction (it refuses to run without one): if the transaction rolls back, the job never
 * existed; once it commits, the relay moves it to Redis, however long Redis is away.
 */
@Singleton
public class JobQueue {
    private static final Pattern QUEUE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final OutboxRepository outbox;
    private final ApplicationEventPublisher<JobsEnqueued> events;

    JobQueue(OutboxRepository outbox, ApplicationEventPublisher<JobsEnqueued> events) {
        this.outbox = outbox;
        this.events = events;
    }

    /** Enqueues a job in the current transaction and returns its id. */
    @Transactional(propagation = TransactionDefinition.Propagation.MANDATORY)
    public UUID enqueue(String queue, String payload) {
        if (!QUEUE_NAME.matcher(queue).matches()) {
            throw new IllegalArgumentException("queue names are lower-case letters, digits and dashes");
        }
        UUID id = UUID.randomUUID();
        outbox.save(new OutboxJob(null, id, queue, payload, Instant.now()));
        events.publishEvent(JobsEnqueued.INSTANCE);
        return id;
    }

    /** Published inside the enqueuing transaction; the relay hears it after commit. */
    enum JobsEnqueued {
        INSTANCE
    }
}
