package io.duet.api.queue;

import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;

/** Runs a handler so that its effect happens once per job id, however often the job is delivered. */
@Singleton
class ProcessedJobs {
    private final ProcessedJobRepository processed;
    private final TransactionOperations<Connection> transactions;

    ProcessedJobs(ProcessedJobRepository processed, TransactionOperations<Connection> transactions) {
        this.processed = processed;
        this.transactions = transactions;
    }

    /** Returns false when the job had already been processed (its handler is not called again). */
    boolean runOnce(Job job, JobHandler handler) throws Exception {
        if (!handler.transactional()) {
            if (processed.isProcessed(job.id())) {
                return false;
            }
            handler.handle(job);
            transactions.executeWrite(status -> processed.markProcessed(job.id(), job.queue()));
            return true;
        }
        try {
            return transactions.executeWrite(status -> {
                if (processed.markProcessed(job.id(), job.queue()) == 0) {
                    return false;
                }
                try {
                    handler.handle(job);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new HandlerFailed(e);
                }
                return true;
            });
        } catch (HandlerFailed e) {
            throw (Exception) e.getCause();
        }
    }

    /** Carries a checked exception out of the transaction callback, which rolls back on unchecked ones. */
    private static final class HandlerFailed extends RuntimeException {
        HandlerFailed(Exception cause) {
            super(cause);
        }
    }
}
