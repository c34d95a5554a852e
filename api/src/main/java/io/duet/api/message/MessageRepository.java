package io.duet.api.message;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Messages, in plain JDBC: the hottest queries of the API, on a table keyed by (couple_id, seq) that
 * grows to hundreds of millions of rows. Every method takes the couple id, which callers take from the
 * caller's membership; nothing here can reach a message without it.
 */
@Singleton
class MessageRepository {
    private static final String COLUMNS = "seq, client_id, sender_id, body, created_at";
    // The statements, named so the query-plan guard test can EXPLAIN exactly these.
    static final String LOCK_COUPLE = "SELECT ended_at IS NULL FROM couple WHERE id = ? FOR UPDATE";
    static final String FIND_BY_CLIENT_ID = "SELECT " + COLUMNS + " FROM message WHERE couple_id = ? AND client_id = ?";
    static final String INSERT = """
            WITH next AS (UPDATE couple SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq)
            INSERT INTO message (couple_id, seq, client_id, sender_id, body, created_at)
            SELECT ?, last_seq, ?, ?, ?, ? FROM next RETURNING seq""";
    static final String PAGE_BEFORE =
            "SELECT " + COLUMNS + " FROM message WHERE couple_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
    static final String PAGE_AFTER =
            "SELECT " + COLUMNS + " FROM message WHERE couple_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?";

    private final JdbcOperations jdbc;

    MessageRepository(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Locks the couple row (serializing the couple's sends) and looks for a message with this client id.
     * Returns whether the couple is still active and the message already sent with that id, if any. The
     * lookup is a statement of its own, after the lock: a statement that waited for the lock would still
     * see the world from before it, without the message the lock holder just sent.
     */
    Slot lockForSend(UUID coupleId, UUID clientId) {
        Boolean active = jdbc.prepareStatement(LOCK_COUPLE, statement -> {
            statement.setObject(1, coupleId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getBoolean(1) : null;
            }
        });
        if (active == null) {
            return new Slot(false, Optional.empty());
        }
        Optional<Message> existing = jdbc.prepareStatement(FIND_BY_CLIENT_ID, statement -> {
            statement.setObject(1, coupleId);
            statement.setObject(2, clientId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.<Message>empty();
            }
        });
        return new Slot(active, existing);
    }

    /** Takes the couple's next seq and inserts the message with it; call with the couple row locked. */
    Message insert(UUID coupleId, UUID clientId, UUID senderId, String text, Instant createdAt) {
        long seq = jdbc.prepareStatement(INSERT, statement -> {
            statement.setObject(1, coupleId);
            statement.setObject(2, coupleId);
            statement.setObject(3, clientId);
            statement.setObject(4, senderId);
            statement.setString(5, text);
            statement.setTimestamp(6, Timestamp.from(createdAt));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
        return new Message(seq, clientId, senderId, text, createdAt);
    }

    /** Up to {@code limit} messages with seq below {@code beforeSeq}, newest first. */
    List<Message> before(UUID coupleId, long beforeSeq, int limit) {
        return page(PAGE_BEFORE, coupleId, beforeSeq, limit);
    }

    /** Up to {@code limit} messages with seq above {@code afterSeq}, oldest first. */
    List<Message> after(UUID coupleId, long afterSeq, int limit) {
        return page(PAGE_AFTER, coupleId, afterSeq, limit);
    }

    private List<Message> page(String sql, UUID coupleId, long seq, int limit) {
        return jdbc.prepareStatement(sql, statement -> {
            bind(statement, coupleId, seq, limit);
            List<Message> messages = new ArrayList<>(limit);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    messages.add(read(rows));
                }
            }
            return messages;
        });
    }

    private static Message read(ResultSet rows) throws SQLException {
        return new Message(
                rows.getLong(1),
                rows.getObject(2, UUID.class),
                rows.getObject(3, UUID.class),
                rows.getString(4),
                rows.getTimestamp(5).toInstant());
    }

    private static void bind(PreparedStatement statement, UUID coupleId, long seq, int limit) throws SQLException {
        statement.setObject(1, coupleId);
        statement.setLong(2, seq);
        statement.setInt(3, limit);
    }

    /**
     * @param active the couple has not ended
     * @param existing the message already sent with the client id
     */
    record Slot(boolean active, Optional<Message> existing) {}
}
