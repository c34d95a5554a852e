package io.duet.api.queue;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * What every queue starts with. Concurrency and pause are then runtime settings kept in PostgreSQL
 * ({@link QueueSettingRepository}) and changed through {@code /ops/queues}.
 *
 * @param concurrency handlers running at once per node for a queue; default 4; 0 stops taking jobs
 * @param maxAttempts attempts before a failing job is dead-lettered; default 12 (about 10-20 minutes of retries)
 * @param initialBackoff delay before the second attempt, doubled per attempt with jitter; default 1 s
 * @param maxBackoff cap of the retry delay; default 5 min
 * @param claimIdle how long a delivered job may stay un-acked before another consumer takes it over
 *     (its worker is presumed dead); default 60 s, keep it above the slowest handler
 * @param shutdownGrace how long in-flight jobs may finish on shutdown before they are released; default 20 s
 * @param deadLetterMax dead letters kept per queue (oldest dropped beyond); default 100,000
 * @param batchSize most jobs one handler slot takes at once when the queue is busy; they share one
 *     transaction (each in its own savepoint) and one ack. A quiet queue hands out single jobs, so this
 *     costs no latency. Default 20; 1 turns batching off
 * @param dependencyProbe while a dependency of the queue's handler is down (SMTP, the media store), how
 *     often one job is let through to probe it; the others wait without spending attempts, and all of them
 *     go again as soon as a probe succeeds. Default 2 s: a backlog resumes within that of the dependency's return
 */
@ConfigurationProperties("duet.queues.defaults")
public record QueueDefaults(
        @Min(0) @Max(1024) int concurrency,
        @Min(1) @Max(100) int maxAttempts,
        @NotNull Duration initialBackoff,
        @NotNull Duration maxBackoff,
        @NotNull Duration claimIdle,
        @NotNull Duration shutdownGrace,
        @Min(100) int deadLetterMax,
        @Min(1) @Max(500) int batchSize,
        @NotNull Duration dependencyProbe) {}
