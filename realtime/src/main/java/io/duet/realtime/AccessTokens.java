package io.duet.realtime;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.jwt.validator.JsonWebTokenValidator;
import jakarta.inject.Singleton;
import java.text.ParseException;
import java.time.Instant;
import io.micronaut.security.authentication.Authentication;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

/**
 * Verifies access tokens at connect and on every poll with the same validator (and keys, including the
 * previous one during a rotation) as the API. A token that fails is told apart as expired (the client
 * refreshes) or invalid (the client signs in again); no token text reaches a log or an error message.
 */
@Singleton
class AccessTokens {
    private final JsonWebTokenValidator<JWT, HttpRequest<?>> validator;

    AccessTokens(JsonWebTokenValidator<JWT, HttpRequest<?>> validator) {
        this.validator = validator;
    }

    record Verified(UUID accountId, Instant expiresAt) {}

    static final class RejectedException extends Exception {
        private final boolean expired;

        RejectedException(boolean expired) {
            super(expired ? "token expired" : "token invalid", null, false, false);
            this.expired = expired;
        }

        boolean expired() {
            return expired;
        }
    }

    Verified verify(String token, HttpRequest<?> request) throws RejectedException {
        if (token == null || token.isBlank() || token.length() > 4096) {
            throw new RejectedException(false);
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
            return new Verified(UUID.fromString(claims.getSubject()), expiry.toInstant());
        } catch (ParseException | IllegalArgumentException e) {
            throw new RejectedException(false);
        }
    }

    /**
     * The caller as the API's security filter already established it from the {@code Authorization: Bearer}
     * header (same validator, same keys): a poll then pays for one verification, not two. Empty when the
     * filter authenticated nobody (no header, or a token it refused: {@link #verify} then tells why).
     */
    Optional<Verified> fromSecurityFilter(HttpRequest<?> request) {
        Optional<Authentication> authentication = request.getUserPrincipal(Authentication.class);
        if (authentication.isEmpty()) {
            return Optional.empty();
        }
        Object expiry = authentication.get().getAttributes().get("exp");
        Instant expiresAt = switch (expiry) {
            case Date date -> date.toInstant();
            case Instant instant -> instant;
            case Number seconds -> Instant.ofEpochSecond(seconds.longValue());
            case null, default -> null;
        };
        if (expiresAt == null || !expiresAt.isAfter(Instant.now())) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Verified(UUID.fromString(authentication.get().getName()), expiresAt));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
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
