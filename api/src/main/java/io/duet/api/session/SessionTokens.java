package io.duet.api.session;

import io.duet.api.snapshot.SnapshotRandom;
import io.duet.api.web.UnauthorizedException;
import io.micronaut.security.token.jwt.generator.JwtTokenGenerator;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and rotates tokens. Access tokens are short-lived HS256 JWTs ({@code sub} = account id,
 * {@code sid} = session); refresh tokens are 256 random bits, stored as SHA-256, used once: each refresh
 * marks the presented token used and issues its successor in the same family. A used token presented
 * again means it was copied: the whole family (the session) is revoked.
 */
@Singleton
public class SessionTokens {
    private static final Logger LOG = LoggerFactory.getLogger(SessionTokens.class);
    private final SecureRandom random = SnapshotRandom.create();
    private final JwtTokenGenerator jwt;
    private final RefreshTokenRepository refreshTokens;
    private final JwtConfig config;
    private final RevokedSessions revoked;

    SessionTokens(
            JwtTokenGenerator jwt, RefreshTokenRepository refreshTokens, JwtConfig config, RevokedSessions revoked) {
        this.jwt = jwt;
        this.refreshTokens = refreshTokens;
        this.config = config;
        this.revoked = revoked;
    }

    /** A fresh pair for a new sign-in; call inside the transaction that authenticated the account. */
    public Issued issue(UUID accountId) {
        return issue(accountId, UUID.randomUUID(), Instant.now());
    }

    /**
     * Rotates a refresh token.
     *
     * @throws UnauthorizedException for an unknown, expired, revoked or already used token (the last
     *     also revokes its family, and that revocation commits although the call fails)
     */
    @Transactional(noRollbackFor = UnauthorizedException.class)
    public Issued refresh(String presented) {
        Instant now = Instant.now();
        RefreshToken token = refreshTokens.lockByTokenHash(hash(presented)).orElseThrow(UnauthorizedException::new);
        if (token.usedAt() != null || token.revokedAt() != null) {
            int count = refreshTokens.revokeFamily(token.familyId(), now);
            if (token.usedAt() != null) {
                LOG.atWarn()
                        .addKeyValue("accountId", token.accountId())
                        .addKeyValue("sessionId", token.familyId())
                        .addKeyValue("revoked", count)
                        .log("refresh token reused; session revoked");
            }
            if (count > 0) {
                revoked.announce(token.accountId(), token.familyId());
            }
            throw new UnauthorizedException();
        }
        if (!now.isBefore(token.expiresAt())) {
            throw new UnauthorizedException();
        }
        refreshTokens.markUsed(token.id(), now);
        return issue(token.accountId(), token.familyId(), now);
    }

    /**
     * Ends one session of the account: its refresh tokens stop working, its access tokens are refused from
     * now on (see {@link RevokedSessions}) and its live WebSockets are closed.
     */
    @Transactional
    public void revoke(UUID accountId, UUID sessionId) {
        refreshTokens.revokeFamilyOf(sessionId, accountId, Instant.now());
        revoked.announce(accountId, sessionId);
    }

    /** Ends every session of the account, as {@link #revoke} does one. */
    @Transactional
    public void revokeAll(UUID accountId) {
        refreshTokens.revokeAccount(accountId, Instant.now());
        revoked.announce(accountId, null);
    }

    private Issued issue(UUID accountId, UUID familyId, Instant now) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String refresh = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        refreshTokens.save(new RefreshToken(
                UUID.randomUUID(),
                familyId,
                accountId,
                hash(refresh),
                now,
                now.plus(config.refreshTokenTtl()),
                null,
                null));
        String access = jwt.generateToken(Map.of(
                        "sub", accountId.toString(),
                        "sid", familyId.toString(),
                        "iat", now.getEpochSecond(),
                        "exp", now.plus(config.accessTokenTtl()).getEpochSecond()))
                .orElseThrow(() -> new IllegalStateException("no JWT signer configured"));
        return new Issued(access, refresh, config.accessTokenTtl().toSeconds(), accountId);
    }

    /** @param expiresIn seconds the access token is valid */
    public record Issued(String accessToken, String refreshToken, long expiresIn, UUID accountId) {}

    private static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
