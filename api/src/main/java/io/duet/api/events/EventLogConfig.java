package io.duet.api.events;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * The per-user event log in Redis that the realtime gateway serves.
 *
 * @param maxEvents events kept per user (approximately: trimming works in whole stream nodes, so a few
 *     more stay); default 10,000. DESIGN.md promises at least 1,000 and 24 h; this bound is what keeps a
 *     very active user's log from growing without end
 * @param idleTtl a log nobody wrote to for this long is dropped; default 7 days (at least 24 h). A
 *     client resuming after that gets {@code reset} and catches up from the API
 */
@ConfigurationProperties("duet.events")
public record EventLogConfig(
        @Min(1000) int maxEvents, @NotNull Duration idleTtl) {}
