package io.duet.api.queue;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;

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
 * @param run the queues this node works on ({@code DUET_QUEUES_RUN=email,media-resize}); default empty: every
 *     queue whose handler is on the class path. A worker service per queue scales each on its own age
 * @param evictionRecheck how long a check that found Redis's {@code maxmemory-policy} safe is trusted before
 *     the queue looks again; default 5 s, so a Redis replaced by a failover or reconfigured to evict is
 *     refused within about that
 */
@ConfigurationProperties("duet.queues")
public record QueueConfig(
        @NotBlank String keyPrefix,
        @NotNull Duration refreshInterval,
        @NotNull Duration readBlock,
        boolean workersEnabled,
        @NotNull List<String> run,
        @NotNull Duration evictionRecheck) {}
