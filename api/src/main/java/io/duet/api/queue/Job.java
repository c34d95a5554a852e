package io.duet.api.queue;

import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;

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

    /**
     * The payload read as {@code type}; a payload that cannot be read or that {@code complete} refuses
     * (another version, a missing id) will never succeed, so it dead-letters the job at once.
     *
     * @throws PermanentJobFailure for an unreadable or incomplete payload
     */
    public <T> T payload(ObjectMapper json, Class<T> type, Predicate<T> complete) {
        T value;
        try {
            value = json.readValue(payload, type);
        } catch (IOException e) {
            throw new PermanentJobFailure("unreadable " + queue + " job payload", e);
        }
        if (value == null || !complete.test(value)) {
            throw new PermanentJobFailure("unsupported " + queue + " job payload");
        }
        return value;
    }

    Job nextAttempt() {
        return new Job(id, queue, payload, attempt + 1, enqueuedAt);
    }
}
