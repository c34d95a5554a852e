package io.duet.api.session;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
interface RefreshTokenRepository extends GenericRepository<RefreshToken, UUID> {

    RefreshToken save(RefreshToken token);

    @Query("SELECT * FROM refresh_token WHERE token_hash = :tokenHash FOR UPDATE")
    Optional<RefreshToken> lockByTokenHash(byte[] tokenHash);

    @Query("UPDATE refresh_token SET used_at = :at WHERE id = :id")
    void markUsed(UUID id, Instant at);

    @Query("UPDATE refresh_token SET revoked_at = :at WHERE family_id = :familyId AND revoked_at IS NULL")
    int revokeFamily(UUID familyId, Instant at);

    @Query(
            "UPDATE refresh_token SET revoked_at = :at WHERE family_id = :familyId AND account_id = :accountId AND revoked_at IS NULL")
    int revokeFamilyOf(UUID familyId, UUID accountId, Instant at);

    @Query("UPDATE refresh_token SET revoked_at = :at WHERE account_id = :accountId AND revoked_at IS NULL")
    int revokeAccount(UUID accountId, Instant at);

    /**
     * Whether access tokens of this session must be refused: no refresh token of its family is left
     * unrevoked, because the session was signed out, revoked for a reused refresh token, or its account was
     * deleted (every family revoked) or purged (every row gone). One lookup on the family index.
     */
    @Query("SELECT NOT EXISTS (SELECT 1 FROM refresh_token WHERE family_id = :sessionId AND revoked_at IS NULL)")
    boolean revoked(UUID sessionId);
}
