package io.duet.capacity;

import java.time.Instant;

/**
 * What one promotion needs in its region, and when: the scheduled actions raise to these numbers at
 * {@code raiseAt} and go back to the baseline at {@code lowerAt}.
 *
 * @param promotion the line it comes from
 * @param raiseAt the promotion's start minus the lead time
 * @param lowerAt its end plus the tail time
 * @param signupProvisionedConcurrency provisioned concurrency of the signup alias
 * @param emailsPerSecond verification emails per second at the peak
 * @param workers minimum worker tasks
 * @param connections expected concurrent realtime connections at the peak
 * @param gateways minimum gateway tasks
 */
public record CapacityPlan(
        Promotion promotion,
        Instant raiseAt,
        Instant lowerAt,
        int signupProvisionedConcurrency,
        double emailsPerSecond,
        int workers,
        long connections,
        int gateways) {}
