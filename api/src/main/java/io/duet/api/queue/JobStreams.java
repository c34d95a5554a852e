package io.duet.api.queue;

import io.duet.api.redis.LuaScripts;
import io.duet.api.redis.RedisConfig;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.redisson.api.RScript;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.api.stream.AutoClaimResult;
import org.redisson.api.stream.PendingEntry;
import org.redisson.api.stream.StreamCreateGroupArgs;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamReadGroupArgs;
import org.redisson.client.RedisException;

/**
 * Every Redis operation of the job queue. Per queue: a stream {@code <prefix><queue>} read by the
 * consumer group {@code workers}; a sorted set {@code :retry} of failed jobs waiting for their next
 * attempt (score = due time); a stream {@code :dead} of dead letters. (The queues' runtime settings are in PostgreSQL.)
 *
 * <p>A finished job is acked and deleted in one script, so a job stream only ever holds jobs that are
 * waiting or in progress and never needs trimming (trimming could drop pending jobs). Moving a job
 * between structures (retry, dead-letter, promote, replay) is one Lua script each, so a crash can never
 * leave a job in two places or in none.
 */
@Singleton
class JobStreams {
    static final String GROUP = "workers";

    private static final String COMPLETE = LuaScripts.load(JobStreams.class, "job-streams-complete");

    /**
     * KEYS: one stream per job, then the relay hash; ARGV: job id, payload, enqueued-at per job, in the same
     * order, then an epoch to use if the relay hash has none. Returns the hash's epoch and this batch's seq.
     * The seq is counted after the XADDs in the same script: a Redis that still has a batch's seq has its jobs.
     */
    private static final String PUBLISH = LuaScripts.load(JobStreams.class, "job-streams-publish");

    private static final String RETRY = LuaScripts.load(JobStreams.class, "job-streams-retry");

    private static final String DEAD_LETTER = LuaScripts.load(JobStreams.class, "job-streams-dead-letter");

    private static final String PROMOTE_DUE = LuaScripts.load(JobStreams.class, "job-streams-promote-due");

    /** All or nothing: an id that is not a dead letter of the queue moves none, and comes back in the answer. */
    private static final String REPLAY = LuaScripts.load(JobStreams.class, "job-streams-replay");

    private static final String STATS = LuaScripts.load(JobStreams.class, "job-streams-stats");

    private final RedissonClient redis;
    private final ObjectMapper json;
    private final String prefix;
    private final String identity;
    private final Duration evictionRecheck;
    /**
     * A {@link SafePolicy} while the last check found the policy safe; otherwise a fresh token per recheck, so
     * a check that was already under way when a recheck was asked for cannot store its older verdict over it.
     */
    private final AtomicReference<Object> evictionCheck = new AtomicReference<>(new Object());

    JobStreams(RedissonClient redis, ObjectMapper json, QueueConfig config, RedisConfig redisConfig) {
        this.redis = redis;
        this.json = json;
        this.prefix = config.keyPrefix();
        this.identity = redisConfig.identity();
        this.evictionRecheck = config.evictionRecheck();
    }

    /**
     * The key of the queue's runtime settings in PostgreSQL: the Redis it runs on and its stream key, so that
     * regions (one Redis each, one database) and processes under another key prefix keep settings of their own.
     */
    String settingKey(String queue) {
        return identity + " " + streamKey(queue);
    }

    String streamKey(String queue) {
        return prefix + queue;
    }

    private String retryKey(String queue) {
        return prefix + queue + ":retry";
    }

    private String deadKey(String queue) {
        return prefix + queue + ":dead";
    }

    /**
     * The queue refuses to run on a Redis that may evict keys: an evicted stream is a lost batch of jobs.
     * Checked on first contact (Redis may be away at start-up); a safe verdict is trusted for
     * {@code duet.queues.eviction-recheck}, so a Redis replaced by a failover or reconfigured by hand is caught.
     *
     * @throws EvictingRedisException when {@code maxmemory-policy} is not {@code noeviction}
     */
    void requireNoEviction() {
        Object seen = evictionCheck.get();
        long now = System.nanoTime();
        if (seen instanceof SafePolicy safe && now - safe.checkedAt() < evictionRecheck.toNanos()) {
            return;
        }
        Map<String, String> memory =
                redis.getRedisNodes(RedisNodes.SINGLE).getInstance().info(RedisNode.InfoSection.MEMORY);
        String policy = memory.getOrDefault("maxmemory_policy", "unknown");
        if (!"noeviction".equals(policy)) {
            throw new EvictingRedisException(policy);
        }
        evictionCheck.compareAndSet(seen, new SafePolicy(now));
    }

    /** Forget the last eviction check: the next use of the queue checks the policy again. */
    void recheckEviction() {
        evictionCheck.set(new Object());
    }

    /** The policy was found safe at {@code checkedAt} ({@link System#nanoTime()}). */
    private record SafePolicy(long checkedAt) {}

    /**
     * Appends a relay batch to the queues' streams in one script call (one round trip, one reply) and returns
     * the batch's place in Redis's relay history, which the outbox rows keep until their jobs are processed.
     */
    RelayMark publish(List<OutboxJob> jobs) {
        List<Object> keys = new ArrayList<>(jobs.size() + 1);
        Object[] args = new Object[jobs.size() * 3 + 1];
        int i = 0;
        for (OutboxJob job : jobs) {
            keys.add(streamKey(job.queue()));
            args[i++] = job.jobId().toString();
            args[i++] = job.payload();
            args[i++] = Long.toString(job.createdAt().toEpochMilli());
        }
        keys.add(relayKey());
        args[i] = UUID.randomUUID().toString();
        List<Object> mark =
                redis.getScript().eval(RScript.Mode.READ_WRITE, PUBLISH, RScript.ReturnType.LIST, keys, args);
        return new RelayMark((String) mark.get(0), Long.parseLong(mark.get(1).toString()));
    }

    /** What Redis holds of the relay history now: its epoch (null when Redis has none) and the last batch's seq. */
    RelayMark relayed() {
        Map<String, String> relay = redis.<String, String>getMap(
                        relayKey(), org.redisson.client.codec.StringCodec.INSTANCE)
                .getAll(java.util.Set.of("epoch", "seq"));
        String seq = relay.get("seq");
        return new RelayMark(relay.get("epoch"), seq == null ? 0 : Long.parseLong(seq));
    }

    /**
     * A relay batch's place: {@code epoch} names one life of Redis's data (a new one after it was lost),
     * {@code seq} counts batches within it.
     */
    record RelayMark(@Nullable String epoch, long seq) {}

    private String relayKey() {
        return prefix + "relay";
    }

    void ensureGroup(String queue) {
        try {
            stream(queue)
                    .createGroup(StreamCreateGroupArgs.name(GROUP)
                            .id(StreamMessageId.ALL)
                            .makeStream());
        } catch (RedisException e) {
            if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    /** New jobs for this consumer, waiting up to {@code block} for the first one. */
    Map<StreamMessageId, Job> read(String queue, String consumer, int count, Duration block) {
        Map<StreamMessageId, Map<String, String>> entries = stream(queue)
                .readGroup(
                        GROUP,
                        consumer,
                        StreamReadGroupArgs.neverDelivered().count(count).timeout(block));
        return toJobs(queue, entries);
    }

    /**
     * Takes over jobs that another consumer received but has not acked for {@code idle} (its worker died).
     * Returns them with how often each has been delivered, so a job that kills its worker every time
     * ends as a dead letter instead of a crash loop.
     */
    List<ClaimedJob> claimStale(String queue, String consumer, Duration idle, int count) {
        AutoClaimResult<String, String> result = stream(queue)
                .autoClaim(GROUP, consumer, idle.toMillis(), TimeUnit.MILLISECONDS, StreamMessageId.MIN, count);
        Map<StreamMessageId, Job> jobs = toJobs(queue, result.getMessages());
        if (jobs.isEmpty()) {
            return List.of();
        }
        // One XPENDING for the whole claim: the entries are now this consumer's, between the first and last id.
        List<StreamMessageId> ids = new ArrayList<>(jobs.keySet());
        Map<StreamMessageId, Long> deliveries = new java.util.HashMap<>();
        for (PendingEntry pending : stream(queue).listPending(GROUP, consumer, ids.getFirst(), ids.getLast(), count)) {
            deliveries.put(pending.getId(), pending.getDeliveryCount());
        }
        List<ClaimedJob> claimed = new ArrayList<>();
        jobs.forEach((id, job) -> claimed.add(new ClaimedJob(id, job, deliveries.getOrDefault(id, 1L))));
        return claimed;
    }

    record ClaimedJob(StreamMessageId messageId, Job job, long deliveries) {}

    /** Acks and deletes finished jobs in one round trip. */
    void complete(String queue, List<StreamMessageId> messageIds) {
        Object[] args = new Object[messageIds.size() + 1];
        args[0] = GROUP;
        for (int i = 0; i < messageIds.size(); i++) {
            args[i + 1] = messageIds.get(i).toString();
        }
        redis.getScript()
                .eval(RScript.Mode.READ_WRITE, COMPLETE, RScript.ReturnType.LONG, List.of(streamKey(queue)), args);
    }

    /** Acks the delivery and parks the job in the retry set until {@code due}. */
    void retryLater(String queue, StreamMessageId messageId, Job next, Instant due) {
        redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        RETRY,
                        RScript.ReturnType.LONG,
                        List.of(streamKey(queue), retryKey(queue)),
                        GROUP,
                        messageId.toString(),
                        Long.toString(due.toEpochMilli()),
                        encode(next));
    }

    void deadLetter(String queue, StreamMessageId messageId, Job job, String error, int keep) {
        redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        DEAD_LETTER,
                        RScript.ReturnType.LONG,
                        List.of(streamKey(queue), deadKey(queue)),
                        GROUP,
                        messageId.toString(),
                        Integer.toString(keep),
                        "job",
                        job.id().toString(),
                        "payload",
                        job.payload(),
                        "attempts",
                        Integer.toString(job.attempt()),
                        "error",
                        error,
                        "failed",
                        Long.toString(System.currentTimeMillis()),
                        "enqueued",
                        Long.toString(job.enqueuedAt().toEpochMilli()));
    }

    /** Moves retries whose time has come back onto the stream; any node may do it, the script is atomic. */
    long promoteDue(String queue, int limit) {
        Long moved = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        PROMOTE_DUE,
                        RScript.ReturnType.LONG,
                        List.of(streamKey(queue), retryKey(queue)),
                        Long.toString(System.currentTimeMillis()),
                        Integer.toString(limit));
        return moved == null ? 0 : moved;
    }

    /** Moves every job of the retry set back onto the stream now (a dependency came back). */
    long promoteAll(String queue) {
        long total = 0;
        long moved;
        do {
            Long batch = redis.getScript()
                    .eval(
                            RScript.Mode.READ_WRITE,
                            PROMOTE_DUE,
                            RScript.ReturnType.LONG,
                            List.of(streamKey(queue), retryKey(queue)),
                            "+inf",
                            "1000");
            moved = batch == null ? 0 : batch;
            total += moved;
        } while (moved == 1000);
        return total;
    }

    List<DeadLetter> deadLetters(String queue, int limit) {
        RStream<String, String> dead = redis.getStream(deadKey(queue));
        Map<StreamMessageId, Map<String, String>> entries = dead.range(limit, StreamMessageId.MIN, StreamMessageId.MAX);
        List<DeadLetter> letters = new ArrayList<>();
        entries.forEach((id, f) -> letters.add(new DeadLetter(
                id.toString(),
                f.get("job"),
                f.get("payload"),
                parseInt(f.get("attempts")),
                f.get("error"),
                Instant.ofEpochMilli(parseLong(f.get("failed"))))));
        return letters;
    }

    /** Puts dead letters back on the queue as fresh first attempts; unknown ids are skipped. */
    /**
     * Puts the given dead letters back on the queue as first attempts, all or none.
     *
     * @throws NotDeadLettersException when an id is not a dead letter of the queue (nothing moved)
     */
    long replay(String queue, List<String> deadLetterIds) {
        if (deadLetterIds.isEmpty()) {
            return 0;
        }
        List<Object> answer = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        REPLAY,
                        RScript.ReturnType.LIST,
                        List.of(streamKey(queue), deadKey(queue)),
                        deadLetterIds.toArray());
        long first = toLong(answer.getFirst());
        if (first < 0) {
            throw new NotDeadLettersException(
                    queue,
                    answer.subList(1, answer.size()).stream()
                            .map(String::valueOf)
                            .toList());
        }
        return first;
    }

    /** 404 {@code not-dead-letters}: a replay named ids the queue's dead letters do not hold; nothing was replayed. */
    static final class NotDeadLettersException extends io.duet.api.web.ProblemException {
        NotDeadLettersException(String queue, List<String> ids) {
            super(
                    "not-dead-letters",
                    "Not dead letters",
                    io.micronaut.http.HttpStatus.NOT_FOUND,
                    "These ids are not dead letters of queue " + queue + ", so nothing was replayed: "
                            + String.join(", ", ids.size() > 20 ? ids.subList(0, 20) : ids)
                            + (ids.size() > 20 ? " and " + (ids.size() - 20) + " more" : ""));
        }
    }

    QueueStats stats(String queue) {
        List<Object> values = redis.getScript()
                .eval(
                        RScript.Mode.READ_ONLY,
                        STATS,
                        RScript.ReturnType.LIST,
                        List.of(streamKey(queue), retryKey(queue), deadKey(queue)),
                        GROUP);
        String oldest = String.valueOf(values.get(4));
        return new QueueStats(
                toLong(values.get(0)),
                toLong(values.get(1)),
                toLong(values.get(2)),
                toLong(values.get(3)),
                oldest.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(oldest)));
    }

    /**
     * Removes consumers that hold no pending job and have been idle for {@code idle}: every restart of a
     * worker adds a consumer name to the group, and without pruning the group grows forever. A live but
     * quiet consumer that is removed is re-created by its next read.
     */
    int pruneConsumers(String queue, String self, Duration idle) {
        int removed = 0;
        for (var consumer : stream(queue).listConsumers(GROUP)) {
            if (consumer.getPending() == 0
                    && consumer.getIdleTime() >= idle.toMillis()
                    && !consumer.getName().equals(self)) {
                stream(queue).removeConsumer(GROUP, consumer.getName());
                removed++;
            }
        }
        return removed;
    }

    /** Removes one consumer name from the group if it holds no pending job. */
    void removeConsumer(String queue, String consumer) {
        for (var existing : stream(queue).listConsumers(GROUP)) {
            if (existing.getName().equals(consumer) && existing.getPending() == 0) {
                stream(queue).removeConsumer(GROUP, consumer);
            }
        }
    }

    private RStream<String, String> stream(String queue) {
        return redis.getStream(streamKey(queue));
    }

    private Map<StreamMessageId, Job> toJobs(String queue, Map<StreamMessageId, Map<String, String>> entries) {
        Map<StreamMessageId, Job> jobs = new LinkedHashMap<>();
        if (entries == null) {
            return jobs;
        }
        entries.forEach((id, f) -> jobs.put(
                id,
                new Job(
                        UUID.fromString(f.get("job")),
                        queue,
                        f.get("payload"),
                        parseInt(f.get("attempt")),
                        Instant.ofEpochMilli(parseLong(f.get("enqueued"))))));
        return jobs;
    }

    private String encode(Job job) {
        try {
            return json.writeValueAsString(new RetryEntry(
                    job.id().toString(),
                    job.payload(),
                    Integer.toString(job.attempt()),
                    Long.toString(job.enqueuedAt().toEpochMilli())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long toLong(Object value) {
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }

    private static int parseInt(@Nullable String value) {
        return value == null ? 1 : Integer.parseInt(value);
    }

    private static long parseLong(@Nullable String value) {
        return value == null ? 0 : Long.parseLong(value);
    }

    /** The retry set's member: strings only, so the Lua side copies them unchanged. */
    @Serdeable
    record RetryEntry(String job, String payload, String attempt, String enqueued) {}

    /** A dead letter as ops sees it; {@code id} is what replay takes. */
    @Serdeable
    record DeadLetter(
            @Schema(example = "1733219400000-0") String id,

            @Schema(example = "8f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f")
            String jobId,

            @Schema(example = "{\"attemptId\":\"2c1d…\",\"locale\":\"en\"}")
            String payload,

            @Schema(example = "12") int attempts,

            @Schema(example = "SMTP 550 mailbox unavailable")
            String error,

            @Schema(example = "2026-12-03T09:30:00Z") Instant failedAt) {}

    /**
     * @param length jobs in the stream: waiting plus in progress
     * @param pending delivered, not yet acked (in progress, or held by a dead worker until claimed)
     * @param retrying failed jobs waiting for their next attempt
     * @param dead dead letters
     * @param oldestEnqueuedAt enqueue time of the oldest job still to be done, null when idle
     */
    record QueueStats(
            long length,
            long pending,
            long retrying,
            long dead,
            @Nullable Instant oldestEnqueuedAt) {}
}
