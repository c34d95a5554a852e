package io.duet.api.queue;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * The worker runtime of this node.
 *
 * @param keyPrefix prefix of every Redis key of the queues; default {@code duet:q:}
 * @param refreshInterval how often a node re-reads runtime settings (concurrency, pause) and samples the
 *     depth metrics; default 1 s, so an ops change takes effect within about that
 * @param readBlock longest blocking read on a stream; default 1 s. Also bounds how long an idle worker
 *     takes to notice a pause or a shutdown
 * @param workersEnabled whether this node runs handlers at all; default true, false for API-only nodes
 *     (the Lambda functions), which then also run no settings refresher and publish no outbox gauges
 */
@ConfigurationProperties("duet.queues")
public record QueueConfig(
        @NotBlank String keyPrefix, @NotNull Duration refreshInterval, @NotNull Duration readBlock, boolean workersEnabled) {}
