package io.duet.rehearsal;

import java.time.Duration;

/**
 * How the rehearsal's clients retry, as the apps do: the same key each time, up to {@link #TRIES} tries, waiting
 * what the server's {@code Retry-After} says (a 503 while a dependency is away, a 429) or else 0.8 s doubling.
 * Five tries ride out a database restart of several seconds when the server names its delay.
 */
final class Retries {
    static final int TRIES = 5;

    private Retries() {}

    /**
     * @param retryAfter the last answer's {@code Retry-After}, or null
     * @param triesDone how many tries were made so far (at least 1)
     */
    static Duration delay(String retryAfter, int triesDone) {
        if (retryAfter != null) {
            try {
                return Duration.ofSeconds(Math.clamp(Long.parseLong(retryAfter.trim()), 0, 10));
            } catch (NumberFormatException e) {
                // an HTTP date or junk: our own backoff
            }
        }
        return Duration.ofMillis(800L << Math.clamp(triesDone - 1, 0, 4));
    }
}
