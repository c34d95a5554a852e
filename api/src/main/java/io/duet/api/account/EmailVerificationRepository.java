package io.duet.api.account;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
interface EmailVerificationRepository extends GenericRepository<EmailVerification, UUID> {

    EmailVerification save(EmailVerification verification);

    /** The account's open attempts, newest first, locked: signups, resends and codes of one address queue here. */
    @Query("SELECT * FROM email_verification WHERE account_id = :accountId AND consumed_at IS NULL "
            + "ORDER BY created_at DESC FOR UPDATE")
    List<EmailVerification> lockOpen(UUID accountId);

    Optional<EmailVerification> findByIdAndAccountId(UUID id, UUID accountId);

    @Query("SELECT * FROM email_verification WHERE token_hash = :tokenHash FOR UPDATE")
    Optional<EmailVerification> lockByTokenHash(byte[] tokenHash);

    @Query("SELECT * FROM email_verification WHERE token_hash = :tokenHash")
    Optional<EmailVerification> findByTokenHash(byte[] tokenHash);

    /** A wrong code counts against every open attempt of the account: more attempts give no more guesses. */
    @Query(
            "UPDATE email_verification SET attempts = attempts + 1 WHERE account_id = :accountId AND consumed_at IS NULL")
    void countAttempt(UUID accountId);

    @Query("UPDATE email_verification SET consumed_at = :at WHERE id = :id")
    void consume(UUID id, Instant at);

    /** Retires an expired or exhausted verification so a fresh one can be opened. */
    @Query("UPDATE email_verification SET consumed_at = :at WHERE id = :id AND consumed_at IS NULL")
    void retire(UUID id, Instant at);

    /** Retires every other open attempt once one of them is verified. */
    @Query(
            "UPDATE email_verification SET consumed_at = :at WHERE account_id = :accountId AND id <> :keep AND consumed_at IS NULL")
    void retireOthers(UUID accountId, UUID keep, Instant at);

    @Query("UPDATE email_verification SET emails_sent = emails_sent + 1 WHERE id = :id")
    void countEmail(UUID id);

    /** Claims the right to send another email for this verification; 1 when the last one is old enough. */
    @Query("UPDATE email_verification SET last_email_at = :now WHERE id = :id "
            + "AND (last_email_at IS NULL OR last_email_at < :notBefore)")
    int claimEmail(UUID id, Instant now, Instant notBefore);
}
