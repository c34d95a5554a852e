package io.duet.bench;

import io.duet.api.queue.Job;
import io.duet.api.queue.JobHandler;
import io.duet.api.queue.JobQueue;
import io.duet.api.queue.WorkerRuntime;
import io.duet.api.testing.ProcStat;
import io.duet.api.testing.RedisAdmin;
import io.duet.api.testing.TestDb;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.api.stream.StreamCreateGroupArgs;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamReadGroupArgs;

/**
 * {@code ./duet bench queue}: the job queue end to end (one job per committed transaction into the
 * outbox, relay, XREADGROUP, a no-op handler inside its idempotency transaction, ack) against the floor
 * of a bare XADD + XREADGROUP + XACK loop on the same Redis, with 1 and 8 handlers; and the delay from
 * commit to handler start at a paced 1,000 jobs/s. Beside that floor, a second one: the same loop where every
 * job is first committed alone as a row in PostgreSQL, the least that keeps PostgreSQL the record of each job
 * with one job per transaction, so a run tells apart what the commit costs and what the rest of the job path
 * does. Medians of several rounds; prints a table and a RESULT line.
 */
public final class QueueBench {
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int THROUGHPUT_JOBS = Integer.getInteger("bench.jobs", 10_000);
    private static final int PACED_RATE = 1_000;
    private static final int PACED_SECONDS = Integer.getInteger("bench.paced-seconds", 5);
    private static final int PRODUCERS = Integer.getInteger("bench.producers", 8);
    /** Jobs per transaction in the grouped scenario: a request that causes several jobs at once. */
    private static final int GROUPED = 10;
    /**
     * Warm-up passes (every scenario once, unmeasured) run until the JIT compiles for less than this share of a
     * pass's wall time: measured rounds that still compile charge the compiler's CPU to the job path.
     */
    private static final double SETTLED_JIT_SHARE = 0.10;

    private static final int MAX_WARM_UP_PASSES = Integer.getInteger("bench.warm-up-passes", 6);

    /**
     * The commit floor's table: the columns a job is written with (not the relay's marks) and a primary key, without
     * the outbox's index of unrelayed rows (the least a row per job needs). Created for a run and dropped after it.
     */
    private static final String COMMIT_FLOOR_TABLE = "bench_commit_floor";

    private QueueBench() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("DUET_LOG_LEVEL", "WARN");
        // The clean-up reads the job tables: on a new database they exist only once the migrations ran.
        TestDb.migrate();
        cleanUp();
        String queue = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (ApplicationContext context = ApplicationContext.builder()
                .properties(Map.of(
                        "datasources.default.url",
                        TestDb.url(),
                        "datasources.default.maximum-pool-size",
                        "24",
                        "micronaut.server.port",
                        "-1",
                        "bench.queue",
                        queue,
                        // Workers for its own queue only: jobs tests left on the shared queues would otherwise run
                        // here (the relay still moves any such rows to Redis, as every relay does).
                        "duet.queues.run",
                        queue,
                        "duet.queues.defaults.concurrency",
                        "1"))
                .start()) {
            new QueueBench.Runner(context).run();
        } finally {
            cleanUp();
        }
    }

    /**
     * What queue benchmarks leave (each run has a queue of its own, {@code bench-*}), removed before and after a
     * run: outbox rows (the last seconds' are still there, the reconciler deletes rows only every few seconds),
     * processed-job ids, Redis keys. Deleting the ids first would leave those rows for good.
     */
    private static void cleanUp() throws Exception {
        TestDb.execute("DROP TABLE IF EXISTS " + COMMIT_FLOOR_TABLE);
        TestDb.execute("DELETE FROM outbox_job WHERE queue LIKE 'bench-%'");
        TestDb.execute("DELETE FROM processed_job WHERE queue LIKE 'bench-%'");
        RedisAdmin.command(
                "EVAL",
                "for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', key) end",
                "0",
                "duet:q:bench-*");
    }

    private static final class Runner {
        private final JobQueue jobs;
        private final TransactionOperations<Connection> transactions;
        private final WorkerRuntime runtime;
        private final RedissonClient redis;
        private final NoOp handler;
        private final JdbcOperations jdbc;

        /**
         * Without autovacuum (the CI machine's PostgreSQL) every job's dead row versions in the outbox (its relay
         * mark, its delete) and in processed_job would stay and the tables bloat through the run; the bench then
         * vacuums them between scenarios, outside the timed windows, and reports what that cost PostgreSQL per
         * job: the work autovacuum does in the background in production.
         */
        private long vacuumTicks;

        private long vacuumedJobs;
        private int jobsSinceVacuum;

        Runner(ApplicationContext context) {
            this.jobs = context.getBean(JobQueue.class);
            this.transactions = context.getBean(TransactionOperations.class);
            this.runtime = context.getBean(WorkerRuntime.class);
            this.redis = context.getBean(RedissonClient.class);
            this.handler = context.getBean(NoOp.class);
            this.jdbc = context.getBean(JdbcOperations.class);
        }

        void run() throws Exception {
            printMachine();
            TestDb.execute("CREATE TABLE " + COMMIT_FLOOR_TABLE
                    + " (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, job_id uuid NOT NULL,"
                    + " queue text NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL)");
            warmUp();
            Map<Integer, double[]> throughput = new java.util.TreeMap<>();
            Map<Integer, double[][]> delays = new java.util.TreeMap<>();
            double[] floor = new double[ROUNDS];
            // The machine's CPU per job (this JVM, PostgreSQL, Redis) and how busy it was: {µs per job, busy}.
            double[][] e2eCpu = new double[ROUNDS][];
            double[][] floorCpu = new double[ROUNDS][];
            double[] commitFloor = new double[ROUNDS];
            double[][] commitFloorCpu = new double[ROUNDS][];
            double[][] producersCpu = new double[ROUNDS][];
            for (int handlers : new int[] {1, 8}) {
                runtime.setConcurrency(handler.queue, handlers);
                double[] rates = new double[ROUNDS];
                double[][] delay = new double[ROUNDS][];
                for (int round = 0; round < ROUNDS; round++) {
                    vacuum(); // before the CPU counters start: vacuuming is not the job path's CPU
                    CpuTicks before = CpuTicks.now();
                    rates[round] = endToEnd(THROUGHPUT_JOBS);
                    e2eCpu[round] = machineCpu(before, THROUGHPUT_JOBS);
                    delay[round] = paced(PACED_RATE, PACED_SECONDS);
                }
                throughput.put(handlers, rates);
                delays.put(handlers, delay);
            }
            double[] enqueueOnly = new double[ROUNDS];
            double[] grouped = new double[ROUNDS];
            runtime.setConcurrency(handler.queue, 8);
            for (int round = 0; round < ROUNDS; round++) {
                grouped[round] = endToEnd(THROUGHPUT_JOBS, GROUPED);
                CpuTicks before = CpuTicks.now();
                floor[round] = rawFloor(THROUGHPUT_JOBS);
                floorCpu[round] = machineCpu(before, THROUGHPUT_JOBS);
                TestDb.execute("TRUNCATE " + COMMIT_FLOOR_TABLE);
                before = CpuTicks.now();
                commitFloor[round] = commitFloor(THROUGHPUT_JOBS);
                commitFloorCpu[round] = machineCpu(before, THROUGHPUT_JOBS);
                double[] producers = enqueueOnly(THROUGHPUT_JOBS);
                enqueueOnly[round] = producers[0];
                producersCpu[round] = Arrays.copyOfRange(producers, 1, producers.length);
            }

            double floorMedian = median(floor);
            double commitFloorMedian = median(commitFloor);
            System.out.println();
            System.out.printf(
                    "%-34s %12s %12s %12s%n", "scenario (median of " + ROUNDS + ")", "jobs/s", "p50 ms", "p99 ms");
            for (int handlers : throughput.keySet()) {
                System.out.printf(
                        "%-34s %12.0f %12s %12s%n",
                        "end to end, " + handlers + " handler(s)", median(throughput.get(handlers)), "", "");
                double[][] d = delays.get(handlers);
                System.out.printf(
                        "%-34s %12d %12.2f %12.2f%n",
                        "commit->start @" + PACED_RATE + "/s, " + handlers + " handler(s)",
                        PACED_RATE,
                        median(column(d, 0)),
                        median(column(d, 1)));
            }
            System.out.printf("%-34s %12.0f%n", "floor: raw XADD+XREADGROUP+XACK", floorMedian);
            System.out.printf("%-34s %12.0f%n", "commit floor: the same + 1 commit", commitFloorMedian);
            System.out.printf("%-34s %12.0f%n", "end to end, 8 handlers, " + GROUPED + " jobs/tx", median(grouped));
            System.out.printf("%-34s %12.0f%n", "producers alone (workers paused)", median(enqueueOnly));
            System.out.printf(
                    "%-34s %12s %8s %12s %12s %12s %8s%n",
                    "CPU per job (medians), µs", "machine", "busy", "this JVM", "PostgreSQL", "Redis", "JIT ms");
            for (var row : List.of(
                    Map.entry("end to end, 8 handlers", e2eCpu),
                    Map.entry("floor", floorCpu),
                    Map.entry("commit floor", commitFloorCpu),
                    Map.entry("producers alone", producersCpu))) {
                double[][] cpu = row.getValue();
                System.out.printf(
                        "%-34s %12.0f %7.0f%% %12.0f %12.0f %12.0f %8.0f%n",
                        row.getKey(),
                        median(column(cpu, 0)),
                        100 * median(column(cpu, 1)),
                        median(column(cpu, 2)),
                        median(column(cpu, 3)),
                        median(column(cpu, 4)),
                        median(column(cpu, 5)));
            }
            vacuum();
            double vacuumUsPerJob = vacuumTicks * 10_000.0 / vacuumedJobs;
            System.out.println(
                    !TestDb.autovacuumOn()
                            ? String.format(
                                    "%-34s %12.0f  (autovacuum is off here: the bench vacuums between scenarios, "
                                            + "outside the timed windows)",
                                    "VACUUM, PostgreSQL µs per job", vacuumUsPerJob)
                            : "autovacuum is on: its work is inside the PostgreSQL column");
            double best = Math.max(median(throughput.get(1)), median(throughput.get(8)));
            System.out.printf("%-34s %12.3f%n", "ratio best 1 job/tx / floor", best / floorMedian);
            System.out.printf("%-34s %12.3f%n", "ratio " + GROUPED + " jobs/tx / floor", median(grouped) / floorMedian);
            System.out.printf("%-34s %12.3f%n", "ratio commit floor / floor", commitFloorMedian / floorMedian);
            System.out.printf("%-34s %12.3f%n", "ratio best 1 job/tx / commit floor", best / commitFloorMedian);
            System.out.println("rounds: e2e 1=" + Arrays.toString(throughput.get(1)) + " e2e 8="
                    + Arrays.toString(throughput.get(8)) + " grouped=" + Arrays.toString(grouped) + " floor="
                    + Arrays.toString(floor) + " commit floor=" + Arrays.toString(commitFloor));
            System.out.printf(
                    "RESULT e2e_jobs_per_s_1=%.0f e2e_jobs_per_s_8=%.0f floor_jobs_per_s=%.0f ratio_to_floor=%.3f "
                            + "commit_to_start_p50_ms_1=%.2f commit_to_start_p99_ms_1=%.2f "
                            + "commit_to_start_p50_ms_8=%.2f commit_to_start_p99_ms_8=%.2f producers_alone_jobs_per_s=%.0f "
                            + "e2e_jobs_per_s_8_grouped=%.0f ratio_to_floor_grouped=%.3f machine_us_per_job_e2e_8=%.0f "
                            + "machine_busy_e2e_8=%.2f machine_us_per_job_floor=%.0f machine_busy_floor=%.2f "
                            + "machine_us_per_job_producers=%.0f machine_busy_producers=%.2f jvm_us_per_job_e2e_8=%.0f "
                            + "postgres_us_per_job_e2e_8=%.0f redis_us_per_job_e2e_8=%.0f jit_ms_e2e_8=%.0f "
                            + "vacuum_postgres_us_per_job=%.0f commit_floor_jobs_per_s=%.0f "
                            + "ratio_commit_floor_to_floor=%.3f ratio_to_commit_floor=%.3f "
                            + "machine_us_per_job_commit_floor=%.0f postgres_us_per_job_commit_floor=%.0f%n",
                    median(throughput.get(1)),
                    median(throughput.get(8)),
                    floorMedian,
                    best / floorMedian,
                    median(column(delays.get(1), 0)),
                    median(column(delays.get(1), 1)),
                    median(column(delays.get(8), 0)),
                    median(column(delays.get(8), 1)),
                    median(enqueueOnly),
                    median(grouped),
                    median(grouped) / floorMedian,
                    median(column(e2eCpu, 0)),
                    median(column(e2eCpu, 1)),
                    median(column(floorCpu, 0)),
                    median(column(floorCpu, 1)),
                    median(column(producersCpu, 0)),
                    median(column(producersCpu, 1)),
                    median(column(e2eCpu, 2)),
                    median(column(e2eCpu, 3)),
                    median(column(e2eCpu, 4)),
                    median(column(e2eCpu, 5)),
                    vacuumUsPerJob,
                    commitFloorMedian,
                    commitFloorMedian / floorMedian,
                    best / commitFloorMedian,
                    median(column(commitFloorCpu, 0)),
                    median(column(commitFloorCpu, 3)));
        }

        /**
         * Every scenario once per pass, unmeasured, until a pass compiles for less than {@link #SETTLED_JIT_SHARE}
         * of its time (or {@link #MAX_WARM_UP_PASSES} passes); prints each pass's compile time.
         */
        private void warmUp() throws Exception {
            runtime.setPaused(handler.queue, false); // a run cut off in enqueueOnly left its queue paused
            for (int pass = 1; pass <= MAX_WARM_UP_PASSES; pass++) {
                long jitBefore = jitMillis();
                long started = System.nanoTime();
                runtime.setConcurrency(handler.queue, 1);
                endToEnd(THROUGHPUT_JOBS / 4);
                paced(PACED_RATE, 1);
                runtime.setConcurrency(handler.queue, 8);
                endToEnd(THROUGHPUT_JOBS);
                endToEnd(THROUGHPUT_JOBS / 2, GROUPED);
                rawFloor(THROUGHPUT_JOBS);
                TestDb.execute("TRUNCATE " + COMMIT_FLOOR_TABLE);
                commitFloor(THROUGHPUT_JOBS / 2);
                enqueueOnly(THROUGHPUT_JOBS / 2);
                double wallMs = (System.nanoTime() - started) / 1e6;
                long jitMs = jitMillis() - jitBefore;
                System.out.printf(
                        "warm-up pass %d: %.1f s, JIT compiling %d ms (%.1f %%)%n",
                        pass, wallMs / 1000, jitMs, 100 * jitMs / wallMs);
                if (jitMs < SETTLED_JIT_SHARE * wallMs) {
                    return;
                }
            }
            System.out.println("warm-up: the JIT had not settled; measured rounds include compilation");
        }

        /**
         * Without autovacuum: vacuums the queue's tables, counting PostgreSQL's CPU for it against the jobs since the
         * last vacuum (rows the reconciler has not deleted yet go at the next one, as with autovacuum's threshold).
         * With autovacuum: nothing; its cost is then inside the scenarios' PostgreSQL CPU.
         */
        private void vacuum() throws Exception {
            if (jobsSinceVacuum == 0) {
                return;
            }
            vacuumTicks += TestDb.vacuumWithoutAutovacuum("outbox_job", "processed_job");
            vacuumedJobs += jobsSinceVacuum;
            jobsSinceVacuum = 0;
        }

        /** Producers commit one job per transaction as fast as they can; jobs/s from first commit to last handled. */
        double endToEnd(int count) throws Exception {
            return endToEnd(count, 1);
        }

        /** As above, with {@code perTransaction} jobs committed together (a request that causes several jobs). */
        double endToEnd(int count, int perTransaction) throws Exception {
            vacuum();
            jobsSinceVacuum += count;
            handler.reset(count);
            AtomicInteger next = new AtomicInteger();
            long started = System.nanoTime();
            try (ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS)) {
                for (int p = 0; p < PRODUCERS; p++) {
                    producers.execute(() -> {
                        while (next.getAndAdd(perTransaction) < count) {
                            transactions.executeWrite(status -> {
                                for (int j = 0; j < perTransaction; j++) {
                                    jobs.enqueue(handler.queue, "{\"v\":1}");
                                }
                                return null;
                            });
                        }
                    });
                }
            }
            if (!handler.done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(
                        "only " + (count - handler.done.getCount()) + " of " + count + " jobs ran");
            }
            return count / ((System.nanoTime() - started) / 1e9);
        }

        /**
         * The producers' own ceiling: the same enqueue loop with the workers paused (relay still running);
         * {jobs/s, the machine's CPU µs per job, its busy share} over the enqueueing.
         */
        double[] enqueueOnly(int count) throws Exception {
            vacuum();
            jobsSinceVacuum += count;
            runtime.setPaused(handler.queue, true);
            handler.reset(count);
            AtomicInteger next = new AtomicInteger();
            CpuTicks before = CpuTicks.now();
            long started = System.nanoTime();
            try (ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS)) {
                for (int p = 0; p < PRODUCERS; p++) {
                    producers.execute(() -> {
                        while (next.getAndIncrement() < count) {
                            transactions.executeWrite(status -> jobs.enqueue(handler.queue, "{\"v\":1}"));
                        }
                    });
                }
            }
            double rate = count / ((System.nanoTime() - started) / 1e9);
            double[] cpu = machineCpu(before, count);
            runtime.setPaused(handler.queue, false);
            handler.done.await(120, TimeUnit.SECONDS);
            double[] result = new double[cpu.length + 1];
            result[0] = rate;
            System.arraycopy(cpu, 0, result, 1, cpu.length);
            return result;
        }

        /**
         * Since {@code before}, per job over {@code jobs}: the machine's busy CPU µs, its busy share, and the CPU
         * µs of this JVM, of PostgreSQL (all its processes) and of Redis; then the JIT's compile ms over the whole
         * scenario (not per job).
         */
        private static double[] machineCpu(CpuTicks before, int jobs) throws java.io.IOException {
            CpuTicks after = CpuTicks.now();
            ProcStat.MachineTicks machine = after.machine().since(before.machine());
            double usPerTick = 10_000.0 / jobs; // 100 ticks a second
            return new double[] {
                machine.busy() * usPerTick,
                machine.busyShare(),
                (after.jvm() - before.jvm()) * usPerTick,
                (after.postgres() - before.postgres()) * usPerTick,
                (after.redis() - before.redis()) * usPerTick,
                after.jitMs() - before.jitMs()
            };
        }

        /**
         * Counters so far: CPU in clock ticks (the machine's, this JVM's, PostgreSQL's, Redis's) and this JVM's
         * JIT compile time in ms.
         */
        private record CpuTicks(ProcStat.MachineTicks machine, long jvm, long postgres, long redis, long jitMs) {
            static CpuTicks now() throws java.io.IOException {
                return new CpuTicks(
                        ProcStat.machineTicks(),
                        ProcStat.cpuTicks(ProcessHandle.current().pid()),
                        ProcStat.cpuTicksOfCommand("postgres"),
                        ProcStat.cpuTicksOfCommand("redis-server"),
                        jitMillis());
            }
        }

        /** A paced producer at {@code rate} jobs/s; returns {p50, p99} of commit -> handler start in ms. */
        double[] paced(int rate, int seconds) throws Exception {
            int count = rate * seconds;
            vacuum();
            jobsSinceVacuum += count;
            handler.reset(count);
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            try (ExecutorService producers = Executors.newFixedThreadPool(4)) {
                AtomicInteger next = new AtomicInteger();
                for (int p = 0; p < 4; p++) {
                    producers.execute(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < count) {
                            long due = start + i * interval;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            }
                            UUID id = transactions.executeWrite(status -> jobs.enqueue(handler.queue, "{\"v\":1}"));
                            handler.committedAt.put(id, System.nanoTime());
                        }
                    });
                }
            }
            if (!handler.done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("paced run did not finish");
            }
            List<Long> delays = new ArrayList<>();
            handler.startedAt.forEach((id, started) -> {
                Long committed = handler.committedAt.get(id);
                if (committed != null) {
                    delays.add(Math.max(0, started - committed));
                }
            });
            Collections.sort(delays);
            return new double[] {percentile(delays, 0.50) / 1e6, percentile(delays, 0.99) / 1e6};
        }

        /** The floor: one producer XADDs, one consumer XREADGROUPs up to 100 and XACKs them, same Redis. */
        double rawFloor(int count) throws Exception {
            return floor(count, 1, stream -> stream.add(StreamAddArgs.entries(JOB)));
        }

        /**
         * The commit floor: as the floor, but each job is first inserted and committed alone in PostgreSQL (through
         * the same pool and transaction manager as the queue) by {@link #PRODUCERS} threads, as many as the
         * end-to-end scenario's producers, before its XADD: what PostgreSQL as the record of each job costs at
         * the least, without an outbox relay, a mark, or a processed-job record.
         */
        double commitFloor(int count) throws Exception {
            return floor(count, PRODUCERS, stream -> {
                transactions.executeWrite(status -> jdbc.prepareStatement(
                        "INSERT INTO " + COMMIT_FLOOR_TABLE
                                + " (job_id, queue, payload, created_at) VALUES (?, 'bench', ?, now())",
                        statement -> {
                            statement.setObject(1, UUID.randomUUID());
                            statement.setString(2, JOB.get("payload"));
                            return statement.executeUpdate();
                        }));
                stream.add(StreamAddArgs.entries(JOB));
            });
        }

        private static final Map<String, String> JOB = Map.of("job", "x", "payload", "{\"v\":1}");

        /** {@code producers} threads run {@code produce} {@code count} times in all; one consumer reads and acks. */
        private double floor(int count, int producers, java.util.function.Consumer<RStream<String, String>> produce)
                throws Exception {
            String key = "duet:bench:floor:" + UUID.randomUUID();
            RStream<String, String> stream = redis.getStream(key);
            stream.createGroup(
                    StreamCreateGroupArgs.name("g").id(StreamMessageId.ALL).makeStream());
            AtomicLong consumed = new AtomicLong();
            long started = System.nanoTime();
            Thread consumer = Thread.ofPlatform().daemon(true).start(() -> {
                while (consumed.get() < count) {
                    Map<StreamMessageId, Map<String, String>> batch = stream.readGroup(
                            "g",
                            "c",
                            StreamReadGroupArgs.neverDelivered().count(100).timeout(Duration.ofMillis(500)));
                    if (batch != null && !batch.isEmpty()) {
                        stream.ack("g", batch.keySet().toArray(StreamMessageId[]::new));
                        consumed.addAndGet(batch.size());
                    }
                }
            });
            AtomicInteger next = new AtomicInteger();
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            try (ExecutorService threads = Executors.newFixedThreadPool(producers)) {
                for (int p = 0; p < producers; p++) {
                    running.add(threads.submit(() -> {
                        while (next.getAndIncrement() < count) {
                            produce.accept(stream);
                        }
                    }));
                }
            }
            for (var producer : running) {
                producer.get(); // a producer that failed fails the bench: its jobs would never arrive
            }
            consumer.join(Duration.ofSeconds(120));
            if (consumed.get() != count) {
                throw new IllegalStateException(
                        "the floor's consumer read " + consumed.get() + " of " + count + " jobs");
            }
            double rate = count / ((System.nanoTime() - started) / 1e9);
            stream.delete();
            return rate;
        }
    }

    @Singleton
    @Requires(property = "bench.queue")
    static final class NoOp implements JobHandler {
        final String queue;
        final Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
        /** Handler start per job; the producer records commit times, and a handler may start before that. */
        final Map<UUID, Long> startedAt = new ConcurrentHashMap<>();

        volatile CountDownLatch done = new CountDownLatch(0);

        NoOp(@Value("${bench.queue}") String queue) {
            this.queue = queue;
        }

        void reset(int expected) {
            committedAt.clear();
            startedAt.clear();
            done = new CountDownLatch(expected);
        }

        @Override
        public String queue() {
            return queue;
        }

        @Override
        public void handle(Job job) {
            startedAt.putIfAbsent(job.id(), System.nanoTime());
            done.countDown();
        }
    }

    private static void printMachine() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(
                "machine: %d cores, %.1f GiB memory, JDK %s (%s), PostgreSQL %s, Redis on the same host%n",
                Runtime.getRuntime().availableProcessors(),
                os.getTotalMemorySize() / 1073741824.0,
                Runtime.version(),
                System.getProperty("java.vm.name"),
                TestDb.url());
        System.out.printf(
                "jobs per throughput round: %d (%d producer threads, one job per transaction); "
                        + "paced: %d jobs/s for %d s%n",
                THROUGHPUT_JOBS, PRODUCERS, PACED_RATE, PACED_SECONDS);
    }

    private static long jitMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    private static double[] column(double[][] rows, int index) {
        return Arrays.stream(rows).mapToDouble(row -> row[index]).toArray();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
        return sorted.get(Math.max(0, index));
    }
}
