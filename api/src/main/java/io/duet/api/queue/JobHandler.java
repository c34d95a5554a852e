package io.duet.api.queue;

/**
 * Does the work of one queue. A bean implementing this makes the node consume that queue. Handlers are
 * called at least once per job; the runtime makes the effect happen once (see {@link #transactional()}).
 * Throw {@link PermanentJobFailure} for a job that can never succeed; any other exception is retried
 * with backoff until the queue's {@code max-attempts}, then dead-lettered.
 */
public interface JobHandler {

    /** The queue name, a constant of the producing feature (lower-case, digits and dashes). */
    String queue();

    void handle(Job job) throws Exception;

    /**
     * {@code true} (the default): the handler runs inside the PostgreSQL transaction that also records
     * the job id in {@code processed_job}, so a redelivered job is skipped and a database effect happens
     * exactly once. {@code false} for long handlers that must not hold a connection (image resizing):
     * the id is checked before and recorded after, so a crash in between repeats the work once more.
     */
    default boolean transactional() {
        return true;
    }

    /**
     * Whether this failure means a dependency is down (the mail server refuses connections, the media
     * store does not answer) rather than that the job is bad. Such a failure does not spend the job's
     * attempts: the queue holds back, probes the dependency with one job every {@code dependency-probe},
     * and lets everything go again the moment it answers. Default: no failure is a dependency's.
     */
    default boolean dependencyDown(Exception failure) {
        return false;
    }
}
