package io.duet.api.queue;

import io.micronaut.serde.annotation.Serdeable;

/**
 * A queue as ops sees it.
 *
 * @param concurrency handler slots per node
 * @param inFlight jobs this node is running now
 * @param waiting jobs not yet started (never delivered, or waiting for a retry)
 * @param pending delivered and not yet acknowledged, on any node
 * @param oldestAgeSeconds age of the oldest job not done yet
 */
@Serdeable
record QueueState(String name, int concurrency, boolean paused, int inFlight, long waiting, long pending,
        long retrying, long dead, double oldestAgeSeconds) {}
