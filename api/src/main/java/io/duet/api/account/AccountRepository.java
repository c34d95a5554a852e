package io.duet.api.account;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
interface AccountRepository extends GenericRepository<Account, UUID> {

    /** Inserts unless the normalized address exists; 1 when this call created the account. */
    @Query("""
            INSERT INTO account (id, email, email_normalized, password_hash, display_name, locale, email_undeliverable, created_at)
            VALUES (:id, :email, :emailNormalized, :passwordHash, :displayName, :locale, false, :createdAt)
            ON CONFLICT (email_normalized) DO NOTHING""")
    int insertIfAbsent(
            UUID id,
            String email,
            String emailNormalized,
            String passwordHash,
            String displayName,
            String locale,
            Instant createdAt);

    Optional<Account> findByEmailNormalized(String emailNormalized);

    @Query("SELECT * FROM account WHERE email_normalized = :emailNormalized FOR UPDATE")
    Optional<Account> lockByEmailNormalized(String emailNormalized);

    Optional<Account> findByIdAndDeletedAtIsNull(UUID id);

    /** Verifies a pending account with the credentials of the signup attempt whose code or link was used. */
    @Query("UPDATE account SET verified_at = :at, password_hash = :passwordHash, display_name = :displayName, "
            + "locale = :locale WHERE id = :id AND verified_at IS NULL")
    int markVerified(UUID id, Instant at, String passwordHash, String displayName, String locale);

    @Query("UPDATE account SET password_hash = :passwordHash WHERE id = :id")
    void updatePasswordHash(UUID id, String passwordHash);

    @Query("UPDATE account SET display_name = :displayName WHERE id = :id AND deleted_at IS NULL")
    int updateDisplayName(UUID id, String displayName);

    @Query("UPDATE account SET locale = :locale WHERE id = :id AND deleted_at IS NULL")
    int updateLocale(UUID id, String locale);

    /** Claims the right to send the "address taken" notice; 1 when it was not sent within the interval. */
    @Query("UPDATE account SET taken_notice_at = :now WHERE id = :id "
            + "AND (taken_notice_at IS NULL OR taken_notice_at < :notBefore)")
    int claimTakenNotice(UUID id, Instant now, Instant notBefore);

    @Query("UPDATE account SET email_undeliverable = true WHERE id = :id")
    void markUndeliverable(UUID id);

    @Query("UPDATE account SET deleted_at = :at WHERE id = :id AND deleted_at IS NULL")
    int markDeleted(UUID id, Instant at);

    @Query("DELETE FROM account WHERE id = :id")
    int purge(UUID id);
}
