package io.duet.api.web;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * HTTP-wide behaviour.
 *
 * @param overloadRetryAfter what {@code Retry-After} tells a client that got 503 because the node was
 *     overloaded; default 2 s, rounded up to whole seconds
 */
@ConfigurationProperties("duet.http")
public record HttpConfig(@NotNull Duration overloadRetryAfter) {}
