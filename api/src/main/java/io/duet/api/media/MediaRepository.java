package io.duet.api.media;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Media rows. Reads for callers are keyed by the owners the caller may see, never by the id alone. */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface MediaRepository extends GenericRepository<Media, UUID> {

    Optional<Media> findByIdAndOwnerIdIn(UUID id, Collection<UUID> ownerIds);

    /** An owner's upload with this {@code Idempotency-Key}: at most one (a unique index). */
    Optional<Media> findByOwnerIdAndIdempotencyKey(UUID ownerId, String idempotencyKey);

    /** For the worker, which acts for the system and not for a caller. */
    Optional<Media> findById(UUID id);

    @Query("UPDATE media SET status = 'ready', finished_at = :at WHERE id = :id AND status = 'processing'")
    int markReady(UUID id, Instant at);

    @Query(
            "UPDATE media SET status = 'failed', error = :error, finished_at = :at WHERE id = :id AND status = 'processing'")
    int markFailed(UUID id, String error, Instant at);

    @Query("SELECT COALESCE(SUM(bytes), 0) FROM media WHERE owner_id = :ownerId AND status <> 'failed'")
    long storedBytes(UUID ownerId);

    @Query("SELECT id FROM media WHERE owner_id = :ownerId")
    List<UUID> findIdByOwnerId(UUID ownerId);

    @Query("UPDATE account SET avatar_media_id = :mediaId WHERE id = :accountId AND deleted_at IS NULL")
    int makeAvatar(UUID accountId, UUID mediaId);
}
