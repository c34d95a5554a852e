package io.duet.realtime;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.jwt.validator.JsonWebTokenValidator;
import jakarta.inject.Singleton;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
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
