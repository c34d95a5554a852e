package io.duet.api.queue;

/** Redis may evict keys; running the queue on it could silently drop jobs. */
final class EvictingRedisException extends IllegalStateException {
    EvictingRedisException(String policy) {
        super("Redis maxmemory-policy is '" + policy + "'; the job queue needs 'noeviction' "
                + "(an evicted stream loses jobs). Jobs stay in the outbox until the policy is fixed.");
    }
}
