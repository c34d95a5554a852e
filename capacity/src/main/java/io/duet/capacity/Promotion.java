package io.duet.capacity;

import java.time.Instant;

/**
 * One announced promotion: a line of the promotions file.
 *
 * @param name a short name, letters, digits and '-', used in the scheduled actions' names
 * @param region the region whose users it reaches (their signups land there by latency routing)
 * @param start when signups start to rise (UTC)
 * @param end when they are back to normal (UTC)
 * @param signupsPerMinute the expected peak rate of signups in that region
 * @param line the line of the promotions file it came from, for error messages
 */
public record Promotion(String name, String region, Instant start, Instant end, int signupsPerMinute, int line) {}
