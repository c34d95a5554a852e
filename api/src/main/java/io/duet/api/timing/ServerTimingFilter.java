package io.duet.api.timing;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * With {@code duet.http.server-timing} on, every response says where its time went, in a {@code Server-Timing}
 * header that browser dev tools draw: SQL, Redis, elsewhere, and the total, with the number of statements and
 * commands. Off by default (it tells any caller how the server spends its time); the local stack turns it on.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Requires(property = ServerTimingFilter.SETTING, value = "true")
final class ServerTimingFilter implements Ordered {
    static final String SETTING = "duet.http.server-timing";
    static final String HEADER = "Server-Timing";
    private static final String ATTRIBUTE = "duet.timings";

    @RequestFilter
    void start(HttpRequest<?> request, MutablePropagatedContext context) {
        RequestTimings timings = new RequestTimings(System.nanoTime());
        request.setAttribute(ATTRIBUTE, timings);
        context.add(timings);
    }

    @ResponseFilter
    void report(HttpRequest<?> request, MutableHttpResponse<?> response) {
        request.getAttribute(ATTRIBUTE, RequestTimings.class)
                .ifPresent(timings -> response.header(HEADER, timings.header(System.nanoTime())));
    }

    @Override
    public int getOrder() {
        // Right after the request id: the total covers the other filters (authentication, rate limits) too.
        return HIGHEST_PRECEDENCE + 1;
    }
}
