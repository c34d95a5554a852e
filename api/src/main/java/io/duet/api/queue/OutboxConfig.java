package io.duet.api.queue;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * How jobs travel from the outbox table to Redis.
 *
 * @param mode {@code background}: a relay thread of this process moves rows right after each commit and
 *     sweeps every {@code pollInterval}; {@code inline}: the committing thread relays before the response
 *     returns (AWS Lambda freezes the process afterwards), leaving to a sweeper elsewhere only what it
 *     could not move. Default background
 * @param batchSize rows relayed per transaction; default 500
 * @param pollInterval how often the relay sweeps for rows it was not told about; default 1 s
 * @param maxBackoff longest pause between relay attempts while Redis is unreachable; default 5 s
 * @param inlineLockWait how long an inline relay waits for the fleet-wide relay lock; default 200 ms
 * @param processedRetention how long processed job ids are kept to de-duplicate redeliveries; default 7 days
 * @param coalesce how long a woken relay waits for more commits before it relays a small batch; default
 *     20 ms, the price in latency of not paying a relay transaction per job under load
 * @param reconcileInterval how often the relay compares the jobs it relayed with what Redis still holds,
 *     relays again those Redis lost, and forgets those processed; default 5 s, the longest a job lost with
 *     Redis's data waits before it is sent again
 */
@ConfigurationProperties("duet.outbox")
public record OutboxConfig(
        @NotNull Mode mode,
        @Min(1) @Max(10_000) int batchSize,
        @NotNull Duration pollInterval,
        @NotNull Duration maxBackoff,
        @NotNull Duration inlineLockWait,
        @NotNull Duration processedRetention,
        @NotNull Duration coalesce,
        @NotNull Duration reconcileInterval) {

    public enum Mode {
        BACKGROUND,
        INLINE
    }
}
