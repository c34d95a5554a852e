package io.duet.api.web;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is a short token (a load
 * balancer or the app may set one), else a fresh UUID. The id is echoed in the response header, put in
 * every problem document and in the MDC ({@code requestId}) of every log line written for the request.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class RequestIdFilter implements Ordered {
    public static final String HEADER = "X-Request-Id";
    static final String ATTRIBUTE = "duet.requestId";
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{8,64}");

    @RequestFilter
    void assign(HttpRequest<?> request, MutablePropagatedContext context) {
        String id = idFor(request.getHeaders().get(HEADER));
        request.setAttribute(ATTRIBUTE, id);
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Map<String, String> withId = new java.util.HashMap<>(mdc == null ? Map.of() : mdc);
        withId.put("requestId", id);
        context.add(new MdcPropagationContext(withId));
    }

    /** The caller's {@code X-Request-Id} when it is acceptable, else a fresh id (also for handlers outside Micronaut's routing). */
    public static String idFor(String incoming) {
        return incoming != null && ACCEPTED.matcher(incoming).matches()
                ? incoming
                : UUID.randomUUID().toString();
    }

    @ResponseFilter
    void echo(HttpRequest<?> request, MutableHttpResponse<?> response) {
        request.getAttribute(ATTRIBUTE, String.class).ifPresent(id -> response.header(HEADER, id));
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }
}
