package io.duet.api.couple;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Couples, memberships and invites. Every read of a couple starts from an account's own membership row;
 * there is deliberately no lookup of a couple by an id alone.
 */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface CoupleRepository extends GenericRepository<Couple, UUID> {

    /** Whether the account exists (not deleted) and is verified: null when it does not exist. */
    @Query("SELECT verified_at IS NOT NULL FROM account WHERE id = :accountId AND deleted_at IS NULL")
    Optional<Boolean> accountVerified(UUID accountId);

    /**
     * The account's membership: its active couple, else the most recently ended one still within its
     * grace period; none for a deleted account (whose access token may live on for minutes).
     */
    @Query("""
            SELECT m.couple_id, m.account_id, p.account_id AS partner_id, c.created_at AS since, c.home_region, c.ended_at
            FROM couple_member m
            JOIN account a ON a.id = m.account_id AND a.deleted_at IS NULL
            JOIN couple c ON c.id = m.couple_id
            LEFT JOIN couple_member p ON p.couple_id = m.couple_id AND p.account_id <> m.account_id
            WHERE m.account_id = :accountId AND (m.left_at IS NULL OR m.left_at > :graceStart)
            ORDER BY m.left_at DESC NULLS FIRST
            LIMIT 1""")
    Optional<Membership> membership(UUID accountId, Instant graceStart);

    @Query("""
            SELECT c.id AS couple_id, c.created_at AS since, c.home_region, c.ended_at, c.last_seq,
                   m.read_seq, p.account_id AS partner_id, a.display_name AS partner_name,
                   COALESCE(p.read_seq, 0) AS partner_read_seq
            FROM couple_member m
            JOIN couple c ON c.id = m.couple_id
            LEFT JOIN couple_member p ON p.couple_id = m.couple_id AND p.account_id <> m.account_id
            LEFT JOIN account a ON a.id = p.account_id
            WHERE m.couple_id = :coupleId AND m.account_id = :accountId""")
    Optional<CoupleView> view(UUID coupleId, UUID accountId);

    @Query("SELECT display_name FROM account WHERE id = :accountId")
    Optional<String> displayName(UUID accountId);

    // --- invites

    @Query("DELETE FROM couple_invite WHERE account_id = :accountId")
    void deleteInvitesOf(UUID accountId);

    @Query("""
            INSERT INTO couple_invite (code, account_id, created_at, expires_at) VALUES (:code, :accountId, :createdAt, :expiresAt)
            ON CONFLICT (code) DO NOTHING""")
    int insertInvite(String code, UUID accountId, Instant createdAt, Instant expiresAt);

    @Query("SELECT * FROM couple_invite WHERE code = :code AND expires_at > :now FOR UPDATE")
    Optional<Invite> lockInvite(String code, Instant now);

    @Query("DELETE FROM couple_invite WHERE expires_at <= :now")
    int deleteExpiredInvites(Instant now);

    // --- pairing

    @Query("SELECT count(*) > 0 FROM couple_member WHERE account_id = :accountId AND left_at IS NULL")
    boolean paired(UUID accountId);

    @Query("INSERT INTO couple (id, home_region, created_at, last_seq) VALUES (:id, :homeRegion, :createdAt, 0)")
    void insertCouple(UUID id, String homeRegion, Instant createdAt);

    @Query("INSERT INTO couple_member (couple_id, account_id, joined_at) VALUES (:coupleId, :accountId, :joinedAt)")
    void insertMember(UUID coupleId, UUID accountId, Instant joinedAt);

    /** Locks the account's active couple row; the members of that couple, for ending it. */
    @Query("""
            SELECT c.* FROM couple c JOIN couple_member m ON m.couple_id = c.id
            WHERE m.account_id = :accountId AND m.left_at IS NULL FOR UPDATE OF c""")
    Optional<Couple> lockActiveCouple(UUID accountId);

    @Query("SELECT account_id FROM couple_member WHERE couple_id = :coupleId")
    List<UUID> members(UUID coupleId);

    @Query("UPDATE couple SET ended_at = :at WHERE id = :coupleId AND ended_at IS NULL")
    int end(UUID coupleId, Instant at);

    @Query("UPDATE couple_member SET left_at = :at WHERE couple_id = :coupleId AND left_at IS NULL")
    void leaveAll(UUID coupleId, Instant at);

    // --- read markers

    /** Raises the member's read marker to {@code upToSeq} (never beyond the last message); 1 if it moved. */
    @Query("""
            UPDATE couple_member m SET read_seq = LEAST(:upToSeq, c.last_seq)
            FROM couple c
            WHERE c.id = m.couple_id AND m.couple_id = :coupleId AND m.account_id = :accountId
              AND m.left_at IS NULL AND m.read_seq < LEAST(:upToSeq, c.last_seq)""")
    int raiseReadMarker(UUID coupleId, UUID accountId, long upToSeq);

    @Query("SELECT read_seq FROM couple_member WHERE couple_id = :coupleId AND account_id = :accountId")
    Optional<Long> readMarker(UUID coupleId, UUID accountId);

    // --- purge

    @Query("SELECT id FROM couple WHERE ended_at < :before ORDER BY ended_at LIMIT :limit")
    List<UUID> endedBefore(Instant before, int limit);

    @Query("DELETE FROM couple WHERE id = :coupleId AND ended_at IS NOT NULL")
    int purge(UUID coupleId);
}
