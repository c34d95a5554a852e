package io.duet.api.session;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Tokens.
 *
 * @param secret {@code DUET_JWT_SECRET}: HS256 key of access tokens, at least 32 bytes
 * @param previousSecret {@code DUET_JWT_PREVIOUS_SECRET}: the key before a rotation, still accepted
 *     for verification (never for signing); empty when not rotating
 * @param accessTokenTtl lifetime of an access token; default 15 min
 * @param refreshTokenTtl lifetime of a refresh token (each refresh rotates it); default 60 days
 */
@ConfigurationProperties("duet.jwt")
public record JwtConfig(
        @NotBlank String secret,
        String previousSecret,
        @NotNull Duration accessTokenTtl,
        @NotNull Duration refreshTokenTtl) {}
