package io.duet.api.queue;

import io.duet.api.redis.RedisConfig;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PreDestroy;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves committed jobs from the outbox table to their Redis streams, oldest first, deleting each row only
 * in the transaction that has seen Redis accept it. A fleet-wide advisory lock lets one relay run at a
 * time, which keeps every queue in insertion order.
 *
 * <p>In background mode a thread relays as soon as a commit signals it and sweeps periodically for rows
 * written by other processes (one that crashed, or a frozen Lambda). While Redis is unreachable the
 * thread backs off and requests keep committing into the outbox; the backlog drains when Redis returns.
 * In inline mode (Lambda) the committing thread relays its own rows before the response is sent.
 */
@Context
public class OutboxRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    /** Key of the advisory lock: "duet-outbox" in ASCII, so it does not collide with other lock users. */
    static final long LOCK_KEY = 0x6475_6574_6f75_74L;

    private static final int LOCKED = -1;

    private final OutboxRepository outbox;
    private final ProcessedJobRepository processed;
    private final JobStreams streams;
    private final TransactionOperations<Connection> transactions;
    private final OutboxConfig config;
    private final RedisConfig redis;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong reRelayed = new AtomicLong();
    private volatile boolean running;
    private volatile Thread thread;
    private volatile Instant lastPrune = Instant.EPOCH;
    private long nextReconcile;

    OutboxRelay(
            OutboxRepository outbox,
            ProcessedJobRepository processed,
            JobStreams streams,
            TransactionOperations<Connection> transactions,
            OutboxConfig config,
            RedisConfig redis) {
        this.redis = redis;
        this.outbox = outbox;
        this.processed = processed;
        this.streams = streams;
        this.transactions = transactions;
        this.config = config;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        if (config.mode() == OutboxConfig.Mode.BACKGROUND) {
            running = true;
            thread = Thread.ofPlatform().name("duet-outbox-relay").daemon(true).start(this::loop);
        }
    }

    /** Called after a transaction that enqueued jobs has committed. */
    void committed() {
        if (config.mode() == OutboxConfig.Mode.INLINE) {
            relayInline();
        } else {
            wake.release();
        }
    }

    /** Jobs relayed to Redis by this process since start. */
    public long relayedCount() {
        return relayed.get();
    }

    /**
     * Relays everything currently in the outbox from the calling thread; returns the number of jobs
     * moved, or stops early (leaving the rest to the sweeper) if Redis or the lock is not available.
     */
    public int relayInline() {
        long deadline = System.nanoTime() + config.inlineLockWait().toNanos();
        int total = 0;
        while (true) {
            int moved;
            try {
                moved = relayBatch();
            } catch (RuntimeException e) {
                LOG.atWarn()
                        .addKeyValue("cause", e.getClass().getSimpleName())
                        .log("inline relay failed; jobs stay in the outbox for the sweeper");
                return total;
            }
            if (moved == LOCKED) {
                if (System.nanoTime() > deadline) {
                    return total;
                }
                sleep(Duration.ofMillis(5));
                continue;
            }
            total += moved;
            if (moved < config.batchSize()) {
                return total;
            }
        }
    }

    private void loop() {
        Duration backoff = Duration.ofMillis(50);
        boolean failing = false;
        while (running) {
            try {
                int moved = relayBatch();
                if (failing) {
                    LOG.info("outbox relay recovered; draining the backlog");
                    failing = false;
                }
                backoff = Duration.ofMillis(50);
                pruneProcessed();
                if (System.nanoTime() - nextReconcile >= 0) {
                    nextReconcile =
                            System.nanoTime() + config.reconcileInterval().toNanos();
                    if (reconcile() > 0) {
                        continue;
                    }
                }
                if (moved == config.batchSize()) {
                    continue;
                }
                if (moved == LOCKED) {
                    // Another node relays now; look again soon in case it read before our commit.
                    wake.tryAcquire(10, TimeUnit.MILLISECONDS);
                } else if (wake.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS) && moved < 10) {
                    // Woken by a commit after a small batch: let concurrent commits land too, so one
                    // relay transaction carries many jobs instead of one each.
                    Thread.sleep(config.coalesce());
                }
                wake.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!failing) {
                    if (e instanceof EvictingRedisException) {
                        LOG.error(e.getMessage());
                    } else {
                        LOG.atWarn()
                                .addKeyValue("cause", e.getClass().getSimpleName())
                                .log("outbox relay cannot reach Redis or PostgreSQL; jobs wait in the outbox");
                    }
                    failing = true;
                }
                sleep(backoff);
                backoff = min(backoff.multipliedBy(2), config.maxBackoff());
            }
        }
    }

    /** One transaction: take the lock, read the oldest rows, XADD them, delete them. */
    int relayBatch() {
        return transactions.executeWrite(status -> {
            if (!outbox.tryRelayLock(LOCK_KEY)) {
                return LOCKED;
            }
            List<OutboxJob> rows = outbox.oldest(config.batchSize());
            if (rows.isEmpty()) {
                return 0;
            }
            streams.requireNoEviction();
            JobStreams.RelayMark mark = streams.publish(rows);
            outbox.markRelayed(
                    rows.stream().map(OutboxJob::position).toArray(Long[]::new),
                    redis.identity(),
                    mark.epoch(),
                    mark.seq());
            relayed.addAndGet(rows.size());
            return rows.size();
        });
    }

    /**
     * Relays again what Redis lost and forgets what is done, under the relay lock (so no batch is half
     * written meanwhile): jobs relayed in another epoch of Redis's data, or after the last batch Redis still
     * holds, and not processed, become unrelayed; rows of processed jobs are deleted. Returns the number of
     * jobs to relay again (they go in the next batches).
     */
    int reconcile() {
        return transactions.executeWrite(status -> {
            if (!outbox.tryRelayLock(LOCK_KEY)) {
                return 0;
            }
            JobStreams.RelayMark held = streams.relayed();
            int lost = outbox.unrelayLost(redis.identity(), held.epoch(), held.seq());
            if (lost > 0) {
                LOG.atWarn()
                        .addKeyValue("jobs", lost)
                        .addKeyValue("redisEpoch", held.epoch())
                        .addKeyValue("redisSeq", held.seq())
                        .log(
                                "Redis lost relayed jobs (restarted empty or failed over without the last writes); relaying them again");
                reRelayed.addAndGet(lost);
            }
            outbox.deleteProcessed();
            return lost;
        });
    }

    /** Jobs found lost with Redis's data and relayed again, since start. */
    public long reRelayedCount() {
        return reRelayed.get();
    }

    private void pruneProcessed() {
        Instant now = Instant.now();
        if (Duration.between(lastPrune, now).toMinutes() < 10) {
            return;
        }
        lastPrune = now;
        int pruned = transactions.executeWrite(status -> processed.prune(now.minus(config.processedRetention())));
        if (pruned > 0) {
            LOG.atInfo().addKeyValue("rows", pruned).log("pruned processed job ids past retention");
        }
    }

    @EventListener
    void onShutdown(ShutdownEvent event) {
        stop();
    }

    @PreDestroy
    void stop() {
        running = false;
        Thread current = thread;
        if (current != null) {
            current.interrupt();
            try {
                current.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
