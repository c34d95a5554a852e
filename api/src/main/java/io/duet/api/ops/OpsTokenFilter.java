package io.duet.api.ops;

import io.duet.api.web.ProblemException;
import io.duet.api.web.ProblemExceptionHandler;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Guards every ops API call with {@code Authorization: Bearer DUET_OPS_TOKEN} (constant-time compare).
 * The {@code /ops} page itself is static and asks for the token in the browser.
 */
@ServerFilter("/ops/**")
final class OpsTokenFilter implements Ordered {
    private final byte[] token;
    private final ProblemExceptionHandler problems;

    OpsTokenFilter(OpsConfig config, ProblemExceptionHandler problems) {
        this.token = config.token() == null || config.token().isBlank()
                ? null
                : config.token().getBytes(StandardCharsets.UTF_8);
        this.problems = problems;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authorize(HttpRequest<?> request) {
        if (request.getPath().equals("/ops") || request.getPath().equals("/ops/")) {
            return null;
        }
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (token != null
                && header != null
                && header.startsWith("Bearer ")
                && MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return problems.handle(request, new OpsUnauthorizedException());
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE + 100;
    }

    static final class OpsUnauthorizedException extends ProblemException {
        OpsUnauthorizedException() {
            super(
                    "ops-token-required",
                    "Ops token required",
                    HttpStatus.UNAUTHORIZED,
                    "Ops endpoints need Authorization: Bearer <DUET_OPS_TOKEN>.");
        }

        @Override
        public Map<String, String> headers() {
            return Map.of(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"duet-ops\"");
        }
    }
}
