package io.duet.api.timing;

import io.micronaut.core.propagation.PropagatedContext;
import io.micronaut.core.propagation.PropagatedContextElement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where one request's time went: SQL statements and Redis commands, counted and timed while the request runs.
 * It travels with the request in Micronaut's propagated context (onto the blocking executor too), so the
 * timed database and Redis clients find it without being told; work outside a request records nothing.
 */
final class RequestTimings implements PropagatedContextElement {
    enum Kind {
        SQL("db", "SQL"),
        REDIS("redis", "Redis");

        final String metric;
        final String label;

        Kind(String metric, String label) {
            this.metric = metric;
            this.label = label;
        }
    }

    private final long startNanos;
    private final AtomicLong[] nanos = {new AtomicLong(), new AtomicLong()};
    private final AtomicLong[] counts = {new AtomicLong(), new AtomicLong()};

    RequestTimings(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Adds one call's time to the current request's, when there is a timed request. */
    static void record(Kind kind, long elapsedNanos) {
        if (!PropagatedContext.exists()) {
            return;
        }
        PropagatedContext.get().find(RequestTimings.class).ifPresent(t -> t.add(kind, elapsedNanos));
    }

    void add(Kind kind, long elapsedNanos) {
        nanos[kind.ordinal()].addAndGet(elapsedNanos);
        counts[kind.ordinal()].incrementAndGet();
    }

    long count(Kind kind) {
        return counts[kind.ordinal()].get();
    }

    /**
     * The {@code Server-Timing} value at {@code nowNanos}: SQL, Redis, the rest ({@code app}) and the total, in
     * milliseconds, with the number of calls in each description, e.g. {@code db;dur=3.1;desc="SQL x2"}.
     */
    String header(long nowNanos) {
        long total = Math.max(0, nowNanos - startNanos);
        long sql = nanos[Kind.SQL.ordinal()].get();
        long redis = nanos[Kind.REDIS.ordinal()].get();
        return entry(Kind.SQL, sql) + ", " + entry(Kind.REDIS, redis) + ", app;dur="
                + millis(Math.max(0, total - sql - redis)) + ";desc=\"elsewhere\", total;dur=" + millis(total);
    }

    private String entry(Kind kind, long spent) {
        return kind.metric + ";dur=" + millis(spent) + ";desc=\"" + kind.label + " x" + count(kind) + "\"";
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1_000_000.0);
    }
}
