package io.duet.functions.lambda;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * How the Lambda functions behave (keys under {@code duet.function}, defaults in {@code application-lambda.yml}).
 *
 * @param freezeCheckAfter an invocation that follows a pause longer than this (the environment may have
 *     been frozen) first checks its PostgreSQL and Redis connections and replaces dead ones; default 1 s
 * @param drainMargin time a worker invocation keeps free before its timeout: it stops taking jobs this
 *     long before the end, gives in-flight jobs half of it, and puts the rest back; default 10 s
 * @param drainConcurrency most jobs a worker invocation runs at once (each may hold one of the pool's
 *     connections); default 1, the ops setting of the queue applies below it
 */
@ConfigurationProperties("duet.function")
public record FunctionConfig(
        @NotNull Duration freezeCheckAfter,
        @NotNull Duration drainMargin,
        @Min(1) @Max(64) int drainConcurrency) {}
