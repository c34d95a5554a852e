package io.duet.api.web;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last resort for exceptions no feature handled. Overload (no pooled connection within the wait, a
 * statement or lock timeout, too many connections, PostgreSQL ending or refusing connections, Redis not answering or
 * refusing connections) becomes 503 with
 * {@code Retry-After}, so clients back off instead of piling on; anything else is a bare 500 whose
 * cause goes to the log only.
 */
@Produces
@Singleton
final class UnexpectedErrorHandler implements ExceptionHandler<Exception, HttpResponse<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedErrorHandler.class);
    /**
     * query_canceled (statement_timeout), lock_not_available (lock_timeout), too_many_connections; the server
     * ending or refusing connections (admin_shutdown, crash_shutdown, cannot_connect_now: a restart or a
     * failover); and the connection exceptions of a lost link (08000, 08001, 08003, 08004, 08006; not 08P01, a
     * protocol violation).
     */
    private static final Set<String> OVERLOAD_STATES =
            Set.of("57014", "55P03", "53300", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006");

    private final ErrorResponseProcessor<?> errors;
    private final ProblemExceptionHandler problems;
    private final HttpConfig config;

    UnexpectedErrorHandler(ErrorResponseProcessor<?> errors, ProblemExceptionHandler problems, HttpConfig config) {
        this.errors = errors;
        this.problems = problems;
        this.config = config;
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, Exception exception) {
        if (isOverload(exception)) {
            LOG.atWarn()
                    .addKeyValue("cause", exception.getClass().getSimpleName())
                    .log("request shed: node overloaded or a dependency unreachable");
            return problems.handle(request, new ServiceOverloadedException(config.overloadRetryAfter()));
        }
        if (isMalformedForm(exception)) {
            return errors.processResponse(
                    ErrorContext.builder(request).cause(exception).build(), HttpResponse.badRequest());
        }
        LOG.error("unexpected error", exception);
        return errors.processResponse(
                ErrorContext.builder(request).cause(exception).build(),
                HttpResponse.status(HttpStatus.INTERNAL_SERVER_ERROR));
    }

    private static boolean isMalformedForm(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (ProblemErrorResponseProcessor.isMalformedForm(t)) {
                return true;
            }
        }
        return false;
    }

    static boolean isOverload(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && OVERLOAD_STATES.contains(sql.getSQLState())) {
                return true;
            }
            if (t.getClass().getName().equals("io.micronaut.data.connection.exceptions.ConnectionException")
                    && t.getCause() instanceof SQLException) {
                // The pool handed out a connection that could not be prepared: closed under it by a restart (the
                // pool's "Connection is closed" carries no SQLSTATE). Without a SQL cause it is a code error.
                return true;
            }
            if (t instanceof java.net.ConnectException) {
                // A dependency refusing connections (Redis restarting): Redisson reports it as a plain RedisException.
                return true;
            }
            String name = t.getClass().getName();
            if (name.equals("org.redisson.client.RedisTimeoutException")
                    || name.equals("org.redisson.client.RedisConnectionException")) {
                return true;
            }
        }
        return false;
    }
}
