package io.duet.api.queue;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Runs a handler so that its effect happens once per job id, however often the job is delivered. */
@Singleton
class ProcessedJobs {
    private static final String MARK_ALL = "INSERT INTO processed_job (job_id, queue, processed_at) "
            + "SELECT unnest(?::uuid[]), ?, now() ON CONFLICT DO NOTHING RETURNING job_id";
    private static final String DONE_AMONG = "SELECT job_id FROM processed_job WHERE job_id = ANY(?::uuid[])";

    private final ProcessedJobRepository processed;
    private final TransactionOperations<Connection> transactions;
    private final JdbcOperations jdbc;

    ProcessedJobs(
            ProcessedJobRepository processed, TransactionOperations<Connection> transactions, JdbcOperations jdbc) {
        this.processed = processed;
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    enum Status {
        DONE,
        DUPLICATE,
        FAILED
    }

    /** What became of one job of a batch; {@code nanos} is the time its handler took. */
    record Result(Status status, Exception error, long nanos) {}

    /**
     * Runs the jobs of a batch in order. A transactional handler's batch shares one transaction: one
     * statement marks every job processed, the handlers run, one commit makes it all durable. If any
     * handler fails, that transaction rolls back and each job runs again alone in its own transaction,
     * so one bad job neither sinks its neighbours nor has its effect without its mark.
     */
    List<Result> run(List<Job> jobs, JobHandler handler) {
        Map<UUID, Job> distinct = new LinkedHashMap<>();
        jobs.forEach(job -> distinct.putIfAbsent(job.id(), job));
        if (distinct.size() == jobs.size()) {
            return runDistinct(jobs, handler);
        }
        // The same job twice in one batch (two copies of it in the stream, however they came about): the copies
        // would pass the processed check together and both run, so only the first runs, the others are duplicates.
        java.util.Iterator<Result> ran =
                runDistinct(List.copyOf(distinct.values()), handler).iterator();
        Set<UUID> ids = new HashSet<>();
        List<Result> results = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            results.add(ids.add(job.id()) ? ran.next() : new Result(Status.DUPLICATE, null, 0));
        }
        return results;
    }

    private List<Result> runDistinct(List<Job> jobs, JobHandler handler) {
        if (!handler.transactional()) {
            return runEachThenMark(jobs, handler);
        }
        if (jobs.size() > 1) {
            try {
                return runShared(jobs, handler);
            } catch (RuntimeException e) {
                // One of them failed (or the commit did): fall through to one transaction per job.
            }
        }
        List<Result> results = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            results.add(runAlone(job, handler));
        }
        return results;
    }

    private List<Result> runShared(List<Job> jobs, JobHandler handler) {
        return transactions.executeWrite(status -> {
            Set<UUID> fresh = markAll(status.getConnection(), jobs);
            List<Result> results = new ArrayList<>(jobs.size());
            for (Job job : jobs) {
                long started = System.nanoTime();
                if (!fresh.contains(job.id())) {
                    results.add(new Result(Status.DUPLICATE, null, System.nanoTime() - started));
                    continue;
                }
                try {
                    handler.handle(job);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new HandlerFailed(e);
                }
                results.add(new Result(Status.DONE, null, System.nanoTime() - started));
            }
            return results;
        });
    }

    /** Marks the jobs processed; answers those that were not marked before. */
    private Set<UUID> markAll(Connection connection, List<Job> jobs) {
        return jdbc.prepareStatement(MARK_ALL, statement -> {
            statement.setArray(1, ids(connection, jobs));
            statement.setString(2, jobs.getFirst().queue());
            return jobIds(statement.executeQuery());
        });
    }

    /** Which of the jobs are processed already: one query with the ids as one array parameter. */
    private Set<UUID> processedAmong(List<Job> jobs) {
        return transactions.executeRead(status -> jdbc.prepareStatement(DONE_AMONG, statement -> {
            statement.setArray(1, ids(status.getConnection(), jobs));
            return jobIds(statement.executeQuery());
        }));
    }

    private static Array ids(Connection connection, List<Job> jobs) throws SQLException {
        return connection.createArrayOf("uuid", jobs.stream().map(Job::id).toArray());
    }

    private static Set<UUID> jobIds(ResultSet rows) throws SQLException {
        try (rows) {
            Set<UUID> ids = new HashSet<>();
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
            return ids;
        }
    }

    /** One job in its own transaction; a failure rolls back its effect and its processed-mark together. */
    private Result runAlone(Job job, JobHandler handler) {
        long started = System.nanoTime();
        try {
            return transactions.executeWrite(status -> {
                if (processed.markProcessed(job.id(), job.queue()) == 0) {
                    return new Result(Status.DUPLICATE, null, System.nanoTime() - started);
                }
                try {
                    handler.handle(job);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new HandlerFailed(e);
                }
                return new Result(Status.DONE, null, System.nanoTime() - started);
            });
        } catch (HandlerFailed e) {
            return new Result(Status.FAILED, (Exception) e.getCause(), System.nanoTime() - started);
        } catch (RuntimeException e) {
            return new Result(Status.FAILED, e, System.nanoTime() - started);
        }
    }

    /**
     * The jobs of a handler whose effect is outside the database (a mail), one or a batch: one query finds those done
     * already, each of the others runs, and one statement marks every success. A crash between a job's
     * effect and that mark repeats it on redelivery: the repeats are bounded by the batch in flight (the
     * queue's {@code batch-size} per handler slot, a few tens of milliseconds of sends), where a mark per job
     * cost two more round trips and a commit for every mail. If the mark fails, the batch's successes are
     * reported failed and retried, as a single job's would be.
     */
    private List<Result> runEachThenMark(List<Job> jobs, JobHandler handler) {
        Set<UUID> already;
        try {
            already = processedAmong(jobs);
        } catch (RuntimeException e) {
            return jobs.stream().map(job -> new Result(Status.FAILED, e, 0)).toList();
        }
        List<Result> results = new ArrayList<>(jobs.size());
        List<Job> done = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            long started = System.nanoTime();
            if (already.contains(job.id())) {
                results.add(new Result(Status.DUPLICATE, null, System.nanoTime() - started));
                continue;
            }
            try {
                handler.handle(job);
                results.add(new Result(Status.DONE, null, System.nanoTime() - started));
                done.add(job);
            } catch (Exception e) {
                results.add(new Result(Status.FAILED, e, System.nanoTime() - started));
            }
        }
        if (!done.isEmpty()) {
            try {
                transactions.executeWrite(status -> markAll(status.getConnection(), done));
            } catch (RuntimeException e) {
                for (int i = 0; i < results.size(); i++) {
                    if (results.get(i).status() == Status.DONE) {
                        results.set(
                                i, new Result(Status.FAILED, e, results.get(i).nanos()));
                    }
                }
            }
        }
        return results;
    }

    /** Carries a checked exception out of the transaction callback, which rolls back on unchecked ones. */
    private static final class HandlerFailed extends RuntimeException {
        HandlerFailed(Exception cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
