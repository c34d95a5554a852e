package io.duet.api.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or the deadline passes; the failure says what was last seen. */
public final class Await {
    private Await() {}

    public static <T> T until(Duration timeout, Callable<T> probe, java.util.function.Predicate<T> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = probe.call();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout + "; last value: " + last);
            }
            Thread.sleep(50);
            last = probe.call();
        }
        return last;
    }
}
