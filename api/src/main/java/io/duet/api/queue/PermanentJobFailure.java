package io.duet.api.queue;

/** A job that cannot succeed however often it runs (bad input, refused address): dead-lettered at once. */
public class PermanentJobFailure extends RuntimeException {
    public PermanentJobFailure(String reason) {
        super(reason);
    }

    public PermanentJobFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
