package io.duet.api.queue;

import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

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
record QueueState(
        @Schema(example = "email") String name,
        @Schema(example = "8") int concurrency,
        @Schema(example = "false") boolean paused,
        @Schema(example = "8") int inFlight,
        @Schema(example = "1250") long waiting,
        @Schema(example = "8") long pending,
        @Schema(example = "3") long retrying,
        @Schema(example = "0") long dead,
        @Schema(example = "4.2") double oldestAgeSeconds) {}
