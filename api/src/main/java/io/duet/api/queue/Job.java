package io.duet.api.queue;

import java.time.Instant;
import java.util.UUID;

/**
 * One unit of asynchronous work as a handler sees it.
 *
 * @param id stable across redeliveries and retries: the key handlers de-duplicate on
 * @param queue the queue it was enqueued on
 * @param payload a versioned JSON document of the producing feature (ids, not secrets)
 * @param attempt 1 on first delivery, +1 after each failed attempt
 * @param enqueuedAt when the producing transaction wrote it to the outbox
 */
public record Job(UUID id, String queue, String payload, int attempt, Instant enqueuedAt) {

    Job nextAttempt() {
        return new Job(id, queue, payload, attempt + 1, enqueuedAt);
    }
}
