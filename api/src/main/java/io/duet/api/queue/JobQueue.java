package io.duet.api.queue;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.TransactionStatus;
import io.micronaut.transaction.exceptions.IllegalTransactionStateException;
import io.micronaut.transaction.support.TransactionSynchronization;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where features hand over asynchronous work. {@link #enqueue} writes the job into the outbox table in
 * the caller's transaction (it refuses to run without one): if the transaction rolls back, the job never
 * existed; once it commits, the relay moves it to Redis, however long Redis is away.
 */
@Singleton
public class JobQueue {
    private static final Pattern QUEUE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final String INSERT =
            "INSERT INTO outbox_job (job_id, queue, payload, created_at) VALUES (?, ?, ?, ?)";

    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final OutboxRelay relay;
    /** The transaction of this thread that already tells the relay about its commit: once per transaction. */
    private final ThreadLocal<TransactionStatus<?>> announced = new ThreadLocal<>();

    JobQueue(JdbcOperations jdbc, TransactionOperations<Connection> transactions, OutboxRelay relay) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.relay = relay;
    }

    /**
     * Enqueues a job in the current transaction and returns its id.
     *
     * @throws IllegalTransactionStateException when called outside a transaction
     * @throws IllegalArgumentException for a queue name that is not lower-case letters, digits and dashes
     */
    public UUID enqueue(String queue, String payload) {
        if (!QUEUE_NAME.matcher(queue).matches()) {
            throw new IllegalArgumentException("queue names are lower-case letters, digits and dashes");
        }
        TransactionStatus<?> transaction = transactions
                .findTransactionStatus()
                .filter(status -> !status.isCompleted())
                .orElseThrow(() -> new IllegalTransactionStateException(
                        "a job is enqueued inside the transaction of the data that causes it"));
        UUID id = JobIds.next();
        // Plain JDBC: this insert rides in every job-producing request, so it skips entity mapping.
        jdbc.prepareStatement(INSERT, statement -> {
            statement.setObject(1, id);
            statement.setString(2, queue);
            statement.setString(3, payload);
            statement.setTimestamp(4, Timestamp.from(Instant.now()));
            return statement.executeUpdate();
        });
        if (announced.get() != transaction) {
            announced.set(transaction);
            transaction.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    relay.committed();
                }

                @Override
                public void afterCompletion(Status status) {
                    announced.remove();
                }
            });
        }
        return id;
    }
}
