package io.duet.api.web;

import io.duet.api.session.RevokedSessions;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import java.util.Optional;
import java.util.UUID;

/**
 * Refuses an access token whose session has ended (signed out, revoked for a reused refresh token) or
 * whose account is deleted, though its signature and expiry are still good: without this such a token
 * kept working for up to its 15 minutes. Runs after micronaut-security has verified the token, on a
 * blocking thread (one indexed query); the answer is the same 401 as any bad token.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class RevocationFilter implements Ordered {
    private final RevokedSessions revoked;
    private final ProblemExceptionHandler problems;

    RevocationFilter(RevokedSessions revoked, ProblemExceptionHandler problems) {
        this.revoked = revoked;
        this.problems = problems;
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Nullable
    HttpResponse<?> refuseRevoked(HttpRequest<?> request) {
        Optional<Authentication> authentication = request.getUserPrincipal(Authentication.class);
        if (authentication.isEmpty()) {
            return null;
        }
        UUID session;
        try {
            Object sid = authentication.get().getAttributes().get("sid");
            session = sid == null ? null : UUID.fromString(sid.toString());
        } catch (IllegalArgumentException e) {
            return problems.handle(request, new UnauthorizedException());
        }
        return revoked.revoked(session) ? problems.handle(request, new UnauthorizedException()) : null;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.after();
    }
}
