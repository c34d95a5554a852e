package io.duet.api.media;

import io.duet.api.couple.CoupleService;
import io.duet.api.couple.Membership;
import io.duet.api.events.UserEvents;
import io.duet.api.queue.JobQueue;
import io.duet.api.web.IdempotencyKeyReusedException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Media items: intake (original stored, row and resize job committed together), what callers may see,
 * and the outcome the resize worker reports.
 */
@Singleton
public class MediaService {
    private static final Logger LOG = LoggerFactory.getLogger(MediaService.class);

    private final MediaRepository media;
    private final MediaStore store;
    private final JobQueue jobs;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final CoupleService couples;
    private final UserEvents events;

    MediaService(
            MediaRepository media,
            MediaStore store,
            JobQueue jobs,
            JdbcOperations jdbc,
            TransactionOperations<Connection> transactions,
            CoupleService couples,
            UserEvents events) {
        this.transactions = transactions;
        this.couples = couples;
        this.events = events;
        this.media = media;
        this.store = store;
        this.jobs = jobs;
        this.jdbc = jdbc;
    }

    /** Bytes of the originals the account holds, failed uploads not counted (their originals are of no use). */
    long storedBytes(UUID ownerId) {
        return media.storedBytes(ownerId);
    }

    /**
     * Stores an accepted upload and schedules its variants. The original is written before the row
     * commits, so a worker never looks for a file that is not there yet; a failed commit removes it. With a
     * key another try already used (two tries racing), nothing is kept of this one and the earlier item is
     * the answer.
     */
    Accepted accept(UUID ownerId, String kind, ImageHeader header, Path upload, long bytes, @Nullable UploadKey key)
            throws IOException {
        UUID id = UUID.randomUUID();
        store.put(MediaStore.originalKey(id), upload, header.format().contentType());
        Media item = new Media(
                id,
                ownerId,
                kind,
                Media.PROCESSING,
                header.format().name().toLowerCase(Locale.ROOT),
                header.width(),
                header.height(),
                bytes,
                null,
                Instant.now(),
                null,
                key == null ? null : key.key(),
                key == null ? null : key.digest());
        boolean inserted;
        try {
            inserted = transactions.executeWrite(status -> {
                if (insertUnlessKeyTaken(item) == 0) {
                    return false;
                }
                jobs.enqueue(ResizeJob.QUEUE, ResizeJob.payload(id));
                return true;
            });
        } catch (RuntimeException e) {
            store.deleteAll(id);
            throw e;
        }
        if (inserted) {
            return new Accepted(item, false);
        }
        store.deleteAll(id);
        // The try that took the key has committed (the insert waited for it): its row is visible now.
        Media earlier = media.findByOwnerIdAndIdempotencyKey(ownerId, key.key())
                .orElseThrow(() -> new IllegalStateException("an upload's key conflicted with no row"));
        return replay(earlier, key);
    }

    /** The owner's upload that took this key, if one did (looked up before the body is read). */
    Optional<Media> findUpload(UUID ownerId, String idempotencyKey) {
        return media.findByOwnerIdAndIdempotencyKey(ownerId, idempotencyKey);
    }

    /** The retry's answer: the earlier try's item, when it sent the same request; 422 when it sent another. */
    static Accepted replay(Media earlier, UploadKey key) {
        if (!key.digest().equals(earlier.requestDigest())) {
            throw new IdempotencyKeyReusedException();
        }
        return new Accepted(earlier, true);
    }

    /** The row, unless the owner already has one with its idempotency key: 1 when written, 0 when not. */
    private int insertUnlessKeyTaken(Media item) {
        return jdbc.prepareStatement(
                "INSERT INTO media (id, owner_id, kind, status, format, width, height, bytes, created_at,"
                        + " idempotency_key, request_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
                statement -> {
                    statement.setObject(1, item.id());
                    statement.setObject(2, item.ownerId());
                    statement.setString(3, item.kind());
                    statement.setString(4, item.status());
                    statement.setString(5, item.format());
                    statement.setInt(6, item.width());
                    statement.setInt(7, item.height());
                    statement.setLong(8, item.bytes());
                    statement.setObject(
                            9, java.time.OffsetDateTime.ofInstant(item.createdAt(), java.time.ZoneOffset.UTC));
                    statement.setString(10, item.idempotencyKey());
                    statement.setString(11, item.requestDigest());
                    return statement.executeUpdate();
                });
    }

    /**
     * An upload's {@code Idempotency-Key} and the digest of what it sent.
     *
     * @param digest SHA-256 (hex) of the kind, a NUL and the body
     */
    record UploadKey(String key, String digest) {}

    /** What an upload came to: its item, and whether that is the item an earlier try with its key made. */
    record Accepted(Media item, boolean replayed) {}

    /**
     * A media item the caller may see (their own or their current partner's), or empty: strangers, and
     * a former partner after unpairing, learn nothing, not even that it exists.
     */
    Optional<Media> findVisible(UUID id, UUID callerId) {
        return media.findByIdAndOwnerIdIn(id, withPartner(callerId));
    }

    private Set<UUID> withPartner(UUID accountId) {
        return couples.partnerOf(accountId)
                .map(partner -> Set.of(accountId, partner))
                .orElse(Set.of(accountId));
    }

    /** The item whatever its owner: for the resize worker only. */
    public Optional<Media> find(UUID id) {
        return media.findById(id);
    }

    @Transactional(readOnly = true)
    public List<MediaVariant> variants(UUID mediaId) {
        return jdbc.prepareStatement(
                "SELECT name, content_type, width, height, bytes, etag FROM media_variant "
                        + "WHERE media_id = ? ORDER BY width",
                statement -> {
                    statement.setObject(1, mediaId);
                    try (var rows = statement.executeQuery()) {
                        List<MediaVariant> found = new ArrayList<>();
                        while (rows.next()) {
                            found.add(new MediaVariant(
                                    rows.getString(1),
                                    rows.getString(2),
                                    rows.getInt(3),
                                    rows.getInt(4),
                                    rows.getLong(5),
                                    rows.getString(6)));
                        }
                        return found;
                    }
                });
    }

    /**
     * Records the worker's variants (already in the store) and makes a ready avatar the owner's avatar.
     * False when the item is gone or no longer processing (a redelivered job, a purged account): the
     * caller then removes what it wrote.
     */
    @Transactional
    public boolean markReady(Media item, List<MediaVariant> variants) {
        if (media.markReady(item.id(), Instant.now()) != 1) {
            return false;
        }
        for (MediaVariant variant : variants) {
            jdbc.prepareStatement(
                    "INSERT INTO media_variant (media_id, name, content_type, width, height, bytes, etag) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    statement -> {
                        statement.setObject(1, item.id());
                        statement.setString(2, variant.name());
                        statement.setString(3, variant.contentType());
                        statement.setInt(4, variant.width());
                        statement.setInt(5, variant.height());
                        statement.setLong(6, variant.bytes());
                        statement.setString(7, variant.etag());
                        return statement.executeUpdate();
                    });
        }
        if (item.isAvatar()) {
            media.makeAvatar(item.ownerId(), item.id());
        }
        // Appended after the commit (UserEvents waits for it), to the owner and their partner.
        // To the owner and the partner, in the Redis of their couple's home region (the owner's own when unpaired).
        var couple = couples.activeCouple(item.ownerId());
        events.publish(
                couple.map(Membership::homeRegion).orElse(null),
                couple.map(m -> m.partnerId() == null ? Set.of(item.ownerId()) : Set.of(item.ownerId(), m.partnerId()))
                        .orElse(Set.of(item.ownerId())),
                "media.ready",
                MediaReadyEvent.of(item, variants));
        LOG.atInfo()
                .addKeyValue("mediaId", item.id())
                .addKeyValue("kind", item.kind())
                .log("media ready");
        return true;
    }

    /** Records why an item can never be rendered (a code from PROBLEMS.md); the original is kept for support. */
    @Transactional
    public boolean markFailed(Media item, String errorCode) {
        boolean changed = media.markFailed(item.id(), errorCode, Instant.now()) == 1;
        if (changed) {
            LOG.atInfo()
                    .addKeyValue("mediaId", item.id())
                    .addKeyValue("error", errorCode)
                    .log("media failed");
        }
        return changed;
    }

    /** Removes the files of every media item of an account; its rows go with the account (cascade). */
    public int removeFilesOf(UUID accountId) throws IOException {
        List<UUID> ids = media.findIdByOwnerId(accountId);
        for (UUID id : ids) {
            store.deleteAll(id);
        }
        return ids.size();
    }

    byte[] readVariant(UUID mediaId, String name) throws IOException {
        return store.read(MediaStore.variantKey(mediaId, name));
    }

    Optional<java.net.URI> variantLink(UUID mediaId, String name) {
        return store.link(MediaStore.variantKey(mediaId, name));
    }
}
