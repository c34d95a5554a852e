package io.duet.api.web;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.List;

/**
 * What a unit serves over HTTP: the path prefixes of {@code duet.http.served-paths} (empty, the default:
 * everything, as the local stack does). The Lambda functions serve {@code /v1} and {@code /health} (the
 * signup function only {@code /v1/accounts}); the gateway service its health, metrics and realtime pages
 * (and the API only when told to); the worker service health, metrics and ops. Anything else answers
 * exactly what an unknown route answers, so a unit reveals nothing about what it leaves out. The realtime
 * transports are served by Netty before any filter and are not affected.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class ServedPathsFilter implements Ordered {
    private final List<String> prefixes;
    private final ProblemExceptionHandler problems;

    ServedPathsFilter(HttpConfig config, ProblemExceptionHandler problems) {
        this.prefixes = config.servedPaths().stream()
                .map(String::strip)
                .filter(prefix -> !prefix.isEmpty())
                .toList();
        this.problems = problems;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> restrict(HttpRequest<?> request) {
        if (prefixes.isEmpty()) {
            return null;
        }
        String path = request.getPath();
        for (String prefix : prefixes) {
            if (path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
                return null;
            }
        }
        return problems.handle(request, new NotServedHereException());
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }

    /** The same document as an unknown route: {@code not-found}. */
    static final class NotServedHereException extends ProblemException {
        NotServedHereException() {
            super("not-found", "Not found", HttpStatus.NOT_FOUND, "Nothing is served at this path.");
        }
    }
}
