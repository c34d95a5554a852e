package io.duet.realtime.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.jwt.validator.JsonWebTokenValidator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import jakarta.inject.Singleton;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Verifies access tokens at connect and on every poll with the same validator (and keys, including the
 * previous one during a rotation) as the API. A token that fails is told apart as expired (the client
 * refreshes) or invalid (the client signs in again); no token text reaches a log or an error message.
 *
 * <p>A long-polling client presents the same token on every poll, and verifying it (parse, HMAC, claims)
 * was a sixth of a poll's CPU. So a token that passed is remembered for up to {@link #REMEMBERED} (never past
 * its own expiry) and found again by its exact text. What that allows: a token signed with a key ops have
 * just removed stays accepted on a node that verified it for at most that long.
 */
@Singleton
public class AccessTokens {
    static final Duration REMEMBERED = Duration.ofSeconds(60);
    private static final int REMEMBERED_MAX = 50_000;

    private final JsonWebTokenValidator<JWT, HttpRequest<?>> validator;
    private final Cache<String, Verified> recent = Caffeine.newBuilder()
            .maximumSize(REMEMBERED_MAX)
            .expireAfter(Expiry.<String, Verified>writing((token, verified) -> {
                Duration left = Duration.between(Instant.now(), verified.expiresAt());
                return left.compareTo(REMEMBERED) < 0 ? left : REMEMBERED;
            }))
            .build();

    AccessTokens(JsonWebTokenValidator<JWT, HttpRequest<?>> validator) {
        this.validator = validator;
    }

    /** @param sessionId the token's {@code sid} (its sign-in), null on tokens that name none */
    public record Verified(UUID accountId, UUID sessionId, Instant expiresAt) {}

    public static final class RejectedException extends Exception {
        private final boolean expired;

        public RejectedException(boolean expired) {
            super(expired ? "token expired" : "token invalid", null, false, false);
            this.expired = expired;
        }

        public boolean expired() {
            return expired;
        }
    }

    /**
     * The token a client presented, the same way on both transports: {@code Authorization: Bearer} (native
     * apps can set it), else the {@code duet.token.<token>} subprotocol (browsers' WebSockets), else the
     * {@code token} query parameter, last because query strings reach load balancers' access logs.
     */
    public static String presented(HttpHeaders headers, Map<String, List<String>> query) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        for (String offered : headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String protocol : offered.split(",")) {
                String trimmed = protocol.trim();
                if (trimmed.startsWith(TOKEN_PROTOCOL)) {
                    return trimmed.substring(TOKEN_PROTOCOL.length());
                }
            }
        }
        List<String> fromQuery = query.get("token");
        return fromQuery == null || fromQuery.isEmpty() ? null : fromQuery.get(0);
    }

    /** The subprotocol that carries a token on a WebSocket: {@code duet.token.<access token>}. */
    static final String TOKEN_PROTOCOL = "duet.token.";

    public Verified verify(String token, HttpRequest<?> request) throws RejectedException {
        if (token == null || token.isBlank() || token.length() > 4096) {
            throw new RejectedException(false);
        }
        // an entry expires with its token at the latest (see recent), so whatever is found is still valid
        Verified remembered = recent.getIfPresent(token);
        if (remembered != null) {
            return remembered;
        }
        var valid = validator.validate(token, request);
        if (valid.isEmpty()) {
            throw new RejectedException(expired(token));
        }
        try {
            var claims = valid.get().getJWTClaimsSet();
            Date expiry = claims.getExpirationTime();
            if (expiry == null || claims.getSubject() == null) {
                throw new RejectedException(false);
            }
            Object sid = claims.getClaim("sid");
            Verified verified = new Verified(
                    UUID.fromString(claims.getSubject()),
                    sid == null ? null : UUID.fromString(sid.toString()),
                    expiry.toInstant());
            recent.put(token, verified);
            return verified;
        } catch (ParseException | IllegalArgumentException e) {
            throw new RejectedException(false);
        }
    }

    /** Only chooses the error code: the signature already failed or passed, nothing is granted here. */
    private static boolean expired(String token) {
        try {
            Date expiry = JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
            return expiry != null && expiry.toInstant().isBefore(Instant.now());
        } catch (ParseException | RuntimeException e) {
            return false;
        }
    }
}
