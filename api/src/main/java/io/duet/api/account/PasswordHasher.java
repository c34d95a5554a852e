package io.duet.api.account;

import io.duet.api.web.ServiceOverloadedException;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * argon2id ({@link Argon2id}) with the configured cost. Hashes are PHC strings that carry their own
 * parameters, so a cost raised in configuration still verifies old hashes and {@link #needsRehash}
 * tells login to upgrade them.
 */
@Singleton
class PasswordHasher {
    private final Argon2id current;

    /**
     * argon2id is memory-hard (19 MiB per hash by default): without a bound, a spike of a few hundred
     * concurrent signups would need gigabytes at once. Hashes beyond the bound wait their turn; a
     * request that cannot start hashing within the wait is shed with 503.
     */
    private final Semaphore slots;

    private final Duration slotWait;
    /**
     * Hashes run on platform threads, not on the request's virtual thread: a virtual thread is not
     * preempted, so 50 ms of hashing on each carrier would stall every request waiting for a database
     * reply behind it (and hold its pooled connection that long).
     */
    private final ExecutorService hashing;

    PasswordHasher(AccountConfig config) {
        AccountConfig.Argon2 cost = config.argon2();
        int concurrent = cost.maxConcurrent() > 0
                ? cost.maxConcurrent()
                : Runtime.getRuntime().availableProcessors();
        this.slots = new Semaphore(concurrent, true);
        this.slotWait = cost.maxWait();
        this.hashing = Executors.newFixedThreadPool(
                concurrent,
                Thread.ofPlatform().name("duet-argon2-", 0).daemon(true).factory());
        this.current = new Argon2id(new Argon2id.Cost(cost.memoryKib(), cost.iterations(), cost.parallelism()));
    }

    String hash(String password) {
        return bounded(() -> current.hash(password));
    }

    boolean matches(String password, String hash) {
        return bounded(() -> Argon2id.matches(password, hash));
    }

    /**
     * Burns the same CPU as a real check (a check is a hash with the stored salt), so that a login takes
     * as long whether the account exists or not. A fresh hash rather than a check against a decoy hash
     * made in the constructor: that decoy cost every process start (every Lambda cold start) a whole
     * argon2id hash, 0.4 s with the client compiler.
     */
    void matchDecoy(String password) {
        bounded(() -> current.hash(password));
    }

    private <T> T bounded(java.util.function.Supplier<T> work) {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(slotWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceOverloadedException(Duration.ofSeconds(2));
        }
        if (!acquired) {
            throw new ServiceOverloadedException(Duration.ofSeconds(2));
        }
        try {
            return hashing.submit(work::get).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceOverloadedException(Duration.ofSeconds(2));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } finally {
            slots.release();
        }
    }

    @PreDestroy
    void close() {
        hashing.shutdownNow();
    }

    boolean needsRehash(String hash) {
        return current.outdated(hash);
    }
}
