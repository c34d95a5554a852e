package io.duet.api.web;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;

/**
 * HTTP-wide behaviour.
 *
 * @param overloadRetryAfter what {@code Retry-After} tells a client that got 503 because the node was
 *     overloaded; default 2 s, rounded up to whole seconds
 * @param servedPaths path prefixes this unit serves over HTTP; other paths answer 404 {@code not-found}.
 *     Default empty: everything (the local stack). Each deployable sets its own (see ServedPathsFilter)
 * @param serverTiming whether every response carries a {@code Server-Timing} header (time in SQL, Redis and
 *     elsewhere); default false, on in the local stack. Read at start: the filter and the timed clients exist only
 *     when it is on (io.duet.api.timing)
 */
@ConfigurationProperties("duet.http")
public record HttpConfig(
        @NotNull Duration overloadRetryAfter, @NotNull List<String> servedPaths, boolean serverTiming) {}
