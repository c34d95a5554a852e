package io.duet.api.queue;

import io.duet.api.snapshot.SnapshotRandom;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Time-ordered job ids (the UUID version 7 layout: 48 bits of Unix milliseconds, then random bits).
 * Consecutive ids land next to each other in {@code processed_job}'s primary key instead of on a random
 * page each, which keeps that index small and its inserts cheap at thousands of jobs a second.
 */
final class JobIds {
    private static final SecureRandom RANDOM = SnapshotRandom.create();

    private JobIds() {}

    static UUID next() {
        long millis = System.currentTimeMillis();
        long random = RANDOM.nextLong();
        long high = (millis << 16) | 0x7000L | ((random >>> 52) & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
