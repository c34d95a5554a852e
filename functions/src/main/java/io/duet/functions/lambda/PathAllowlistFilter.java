package io.duet.functions.lambda;

import io.duet.api.web.ProblemException;
import io.duet.api.web.ProblemExceptionHandler;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.List;

/**
 * Restricts a function to the path prefixes of {@code duet.function.paths} (the signup function:
 * {@code /v1/accounts}). Anything else answers exactly what an unknown route answers, so the function
 * reveals nothing about the rest of the API.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Requires(property = "duet.function.paths")
final class PathAllowlistFilter implements Ordered {
    private final List<String> prefixes;
    private final ProblemExceptionHandler problems;

    PathAllowlistFilter(FunctionConfig config, ProblemExceptionHandler problems) {
        this.prefixes = List.copyOf(config.paths());
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
