package io.duet.bench;

import io.duet.api.account.Argon2id;
import io.duet.api.testing.CountingSmtpServer;
import io.duet.api.testing.FreePort;
import io.duet.api.testing.ProcStat;
import io.duet.api.testing.TestDb;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./duet bench signup}: POST /v1/accounts from this JVM against the API in a separate JVM (so
 * its CPU can be read from /proc) at 16, 64 and 256 concurrent clients, with production argon2id cost;
 * the email queue is paused meanwhile, then resumed to time the delivery of every verification email
 * to an in-process SMTP server. In the same run, the CPU of one argon2id hash with the same parameters:
 * the physical floor of a signup.
 */
public final class SignUpBench {
    private static final int[] LEVELS = {16, 64, 256};
    private static final String PASSWORD = "correct-Horse-battery-9";
    /** Warm-up signups per round; rounds go on until the JIT compilers are quiet under load. */
    private static final int WARM_UP_ROUND = 300;
    /**
     * At least this many warm-up signups: on 2 cores busy hashing, C2 reaches the request path's code in bursts for
     * minutes, and three quiet rounds after 4,800 signups were followed by levels that spent 3-5 % compiling.
     */
    private static final int WARM_UP_MIN = Integer.getInteger("bench.warm-up-min", 7_200);
    /** At most this many warm-up signups. */
    private static final int WARM_UP_MAX = Math.max(WARM_UP_MIN, Integer.getInteger("bench.warm-up", 15_000));
    /** The JIT is settled when its threads used less than this share of the API's CPU over the last three warm-up rounds. */
    private static final double JIT_SETTLED = 0.01;
    /** How the API's CPU is reported, by thread ({@link #threadGroup}); "rest" is whatever the others leave. */
    private static final List<String> THREAD_GROUPS =
            List.of("argon2", "gc", "jit", "handlers", "http", "relay", "redis", "rest");

    private SignUpBench() {}

    public static void main(String[] args) throws Exception {
        int perLevel = Integer.getInteger("bench.signups", 600);
        int port = FreePort.get();
        // A sink that counts and keeps nothing: GreenMail, which keeps every message in a mailbox per recipient,
        // answered each SMTP command in ~25 ms under this load and was what the drain measured.
        CountingSmtpServer mail = new CountingSmtpServer();
        Process server = startServer(port, mail.port());
        try {
            HttpClient http = HttpClient.newBuilder()
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            awaitReady(http, port, server);
            post(http, port, "/ops/queues/email/pause", "{}", "bench-ops");
            printMachine();
            // The floor is measured before the signups and again after them (and after the email drain, so that
            // nothing else runs): the host's speed drifts over a run, and the mean of the two is the floor the
            // levels between them are compared with; the drift is printed.
            HashCost hashBefore = cpuPerHash(30, 1);
            int cores = Runtime.getRuntime().availableProcessors();
            double hashConcurrentBefore = cpuPerHash(30, cores).processMs();
            String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            List<Level> levels = new ArrayList<>();
            int total = 0;
            WarmUp warm = warmUp(http, port, server.pid(), prefix);
            // The warm-up's rows, and earlier runs', stay as dead versions where the server runs without autovacuum.
            TestDb.vacuumWithoutAutovacuum("account", "email_verification", "outbox_job", "processed_job");
            System.out.printf("measuring: %d signups at each of %s clients%n", perLevel, Arrays.toString(LEVELS));
            for (int clients : LEVELS) {
                levels.add(run(http, port, server.pid(), clients, perLevel, prefix + "-" + clients));
                total += perLevel;
            }
            int accepted = warm.accepted()
                    + levels.stream()
                            .mapToInt(level -> level.count - level.errors)
                            .sum();
            int expectedEmails = accepted;
            long drainStart = System.nanoTime();
            post(http, port, "/ops/queues/email/resume", "{}", "bench-ops");
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (mail.received() < expectedEmails && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            int delivered = mail.received();
            HashCost hashAfter = cpuPerHash(30, 1);
            double hashConcurrentAfter = cpuPerHash(30, cores).processMs();
            double hashMs = (hashBefore.processMs() + hashAfter.processMs()) / 2;
            double hashConcurrentMs = (hashConcurrentBefore + hashConcurrentAfter) / 2;
            // the median level's CPU per signup
            double cpu =
                    levels.stream().mapToDouble(l -> l.cpuMsPerSignup).sorted().toArray()[1];

            System.out.println();
            System.out.printf(
                    "%-8s %10s %12s %10s %10s %8s %16s %10s %10s%n",
                    "clients",
                    "signups",
                    "signups/s",
                    "p50 ms",
                    "p99 ms",
                    "errors",
                    "server CPU ms/su",
                    "ratio",
                    "in-proc");
            for (Level level : levels) {
                System.out.printf(
                        "%-8d %10d %12.1f %10.1f %10.1f %8d %16.2f %10.3f %10.3f%n",
                        level.clients,
                        level.count,
                        level.rate,
                        level.p50,
                        level.p99,
                        level.errors,
                        level.cpuMsPerSignup,
                        level.cpuMsPerSignup / hashMs,
                        level.cpuMsPerSignup / level.cpuMsByThreads.get("argon2"));
            }
            System.out.println(
                    "(ratio: to one hash alone in this JVM; in-proc: to the API's own hashing threads' CPU per signup)");
            System.out.printf("%nthe API's CPU per signup by thread, ms:%n%-8s", "clients");
            THREAD_GROUPS.forEach(group -> System.out.printf(" %9s", group));
            System.out.println();
            for (Level level : levels) {
                System.out.printf("%-8d", level.clients);
                THREAD_GROUPS.forEach(group -> System.out.printf(" %9.2f", level.cpuMsByThreads.get(group)));
                System.out.println();
            }
            System.out.printf(
                    "argon2id (19 MiB, 2 iterations, parallelism 1): %.2f ms process CPU per hash, GC included "
                            + "(median of 5 runs of 30, this JVM, same flags as the API; %.2f before the signups, %.2f after: %+.1f %%), "
                            + "of which the hashing thread's own %.2f / %.2f ms%n",
                    hashMs,
                    hashBefore.processMs(),
                    hashAfter.processMs(),
                    100 * (hashAfter.processMs() / hashBefore.processMs() - 1),
                    hashBefore.threadMs(),
                    hashAfter.threadMs());
            System.out.printf(
                    "argon2id with %d hashes at once (as the API runs them, one per core): %.2f ms per hash (%.2f before, "
                            + "%.2f after); ratio of the API's CPU per signup to it: %.3f%n",
                    cores, hashConcurrentMs, hashConcurrentBefore, hashConcurrentAfter, cpu / hashConcurrentMs);
            System.out.printf(
                    "steady state: %d warm-up signups in rounds of %d until the JIT compilers' share of the API's CPU "
                            + "over three rounds fell under %.0f%% (last three: %.1f%%)%n",
                    warm.signups(), WARM_UP_ROUND, JIT_SETTLED * 100, warm.lastJitShare() * 100);
            System.out.printf(
                    "emails: %d of %d delivered in %.1f s after resuming the queue (%.0f emails/s)%n",
                    delivered, expectedEmails, drainSeconds, delivered / drainSeconds);
            // The hash's cost differs by a few ms from one JVM to the next (how the JIT compiled it); the API's
            // own hashing threads are the floor measured in the same process, so this ratio does not move with it.
            double inProcess = levels.stream()
                    .mapToDouble(l -> l.cpuMsPerSignup / l.cpuMsByThreads.get("argon2"))
                    .sorted()
                    .toArray()[1];
            System.out.printf(
                    "the API's CPU per signup / its own hashing threads' CPU per signup: %.3f (median of the levels)%n",
                    inProcess);
            Level top = levels.getLast();
            System.out.printf(
                    "RESULT signups_per_s_16=%.1f signups_per_s_64=%.1f signups_per_s_256=%.1f p50_ms_256=%.1f "
                            + "p99_ms_256=%.1f errors_256=%d cpu_ms_per_signup=%.2f cpu_ms_per_hash=%.2f ratio=%.3f "
                            + "emails_delivered=%d email_drain_s=%.1f cpu_ms_per_hash_concurrent=%.2f ratio_concurrent=%.3f ratio_in_process=%.3f "
                            + "cpu_ms_per_hash_before=%.2f cpu_ms_per_hash_after=%.2f%n",
                    levels.get(0).rate,
                    levels.get(1).rate,
                    top.rate,
                    top.p50,
                    top.p99,
                    top.errors,
                    cpu,
                    hashMs,
                    cpu / hashMs,
                    delivered,
                    drainSeconds,
                    hashConcurrentMs,
                    cpu / hashConcurrentMs,
                    inProcess,
                    hashBefore.processMs(),
                    hashAfter.processMs());
        } finally {
            server.destroy();
            server.waitFor();
            mail.close();
        }
    }

    private record Level(
            int clients,
            int count,
            double rate,
            double p50,
            double p99,
            int errors,
            double cpuMsPerSignup,
            Map<String, Double> cpuMsByThreads) {}

    private static Level run(HttpClient http, int port, long pid, int clients, int count, String prefix)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        double cpuBefore = cpuSeconds(pid);
        Map<String, Long> threadsBefore = ProcStat.cpuTicksByThread(pid, SignUpBench::threadGroup);
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.execute(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        long t0 = System.nanoTime();
                        try {
                            int status =
                                    post(http, port, "/v1/accounts", body(prefix + "-" + i + "@example.com"), null);
                            if (status != 202) {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                        latencies.add(System.nanoTime() - t0);
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = cpuSeconds(pid) - cpuBefore;
        Map<String, Long> threadsAfter = ProcStat.cpuTicksByThread(pid, SignUpBench::threadGroup);
        Map<String, Double> split = new TreeMap<>();
        double named = 0;
        for (String group : THREAD_GROUPS.subList(0, THREAD_GROUPS.size() - 1)) {
            double groupSeconds =
                    (threadsAfter.getOrDefault(group, 0L) - threadsBefore.getOrDefault(group, 0L)) / 100.0;
            split.put(group, groupSeconds * 1000 / count);
            named += groupSeconds;
        }
        // everything else, from the process total so that threads which ended during the level still count
        split.put("rest", (cpu - named) * 1000 / count);
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Level(
                clients,
                count,
                count / seconds,
                percentile(sorted, 0.5),
                percentile(sorted, 0.99),
                errors.get(),
                cpu * 1000 / count,
                split);
    }

    private record WarmUp(int signups, int accepted, double lastJitShare) {}

    /**
     * On 2 cores the JIT compilers compete with the hashing threads and finish warming up minutes late;
     * their work is start-up cost, not a signup's. Signs up in rounds, one per level's concurrency in
     * turn, at least {@link #WARM_UP_MIN} signups and then until the compilers' share of the API's CPU over the last
     * three rounds is under {@link #JIT_SETTLED} (or {@link #WARM_UP_MAX} is reached). One quiet round was not enough: at 2 %
     * over a single round, the levels after it still spent 2-5 % of their CPU compiling (the request path
     * reaches C2's thresholds only after thousands of signups). Waiting at idle would prove nothing: an
     * idle server compiles nothing.
     */
    private static WarmUp warmUp(HttpClient http, int port, long pid, String prefix) throws Exception {
        int done = 0;
        int accepted = 0;
        double share = 1;
        java.util.ArrayDeque<double[]> lastThree = new java.util.ArrayDeque<>();
        for (int round = 0; done < WARM_UP_MAX && (done < WARM_UP_MIN || share >= JIT_SETTLED); round++) {
            // the levels' own concurrencies in turn, so that every path they take is compiled before they run
            Level warm = run(http, port, pid, LEVELS[round % LEVELS.length], WARM_UP_ROUND, prefix + "-warm" + round);
            done += WARM_UP_ROUND;
            accepted += warm.count() - warm.errors();
            lastThree.addLast(new double[] {warm.cpuMsByThreads().get("jit"), warm.cpuMsPerSignup()});
            if (lastThree.size() > 3) {
                lastThree.removeFirst();
            }
            share = lastThree.stream().mapToDouble(r -> r[0]).sum()
                    / lastThree.stream().mapToDouble(r -> r[1]).sum();
            System.out.printf(
                    "warm-up round %d: %d signups at %d clients, %.1f signups/s, JIT %.1f%% of the API's CPU (last three rounds: %.1f%%)%n",
                    round + 1,
                    warm.count(),
                    warm.clients(),
                    warm.rate(),
                    100 * warm.cpuMsByThreads().get("jit") / warm.cpuMsPerSignup(),
                    100 * share);
        }
        return new WarmUp(done, accepted, share);
    }

    /**
     * CPU of one argon2id hash with the production parameters: this (otherwise idle) process's CPU time
     * over a run of hashes, so the garbage collection of each hash's 19 MiB counts too, as it does in
     * the server. Median of several runs; {@link HashCost#threadMs} is the hashing threads' own part.
     */
    private static HashCost cpuPerHash(int samples, int threads) throws InterruptedException {
        Argon2id argon2 = new Argon2id(new Argon2id.Cost(19456, 2, 1));
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < 10; i++) {
            argon2.hash(PASSWORD + i);
        }
        var threadBean = ManagementFactory.getThreadMXBean();
        double[] ms = new double[5];
        double[] threadMs = new double[ms.length];
        for (int run = 0; run < ms.length; run++) {
            long before = os.getProcessCpuTime();
            java.util.concurrent.atomic.AtomicLong hashingNanos = new java.util.concurrent.atomic.AtomicLong();
            Thread[] hashing = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                hashing[t] = Thread.ofPlatform().start(() -> {
                    long own = threadBean.getCurrentThreadCpuTime();
                    for (int i = 0; i < samples; i++) {
                        argon2.hash(PASSWORD + i);
                    }
                    hashingNanos.addAndGet(threadBean.getCurrentThreadCpuTime() - own);
                });
            }
            for (Thread thread : hashing) {
                thread.join();
            }
            ms[run] = (os.getProcessCpuTime() - before) / 1e6 / (samples * threads);
            threadMs[run] = hashingNanos.get() / 1e6 / (samples * threads);
        }
        java.util.Arrays.sort(ms);
        java.util.Arrays.sort(threadMs);
        return new HashCost(ms[ms.length / 2], threadMs[threadMs.length / 2]);
    }

    /** One hash's CPU: the whole process's (garbage collection included) and the hashing thread's own. */
    private record HashCost(double processMs, double threadMs) {}

    private static double compilerSeconds(long pid) throws Exception {
        return ProcStat.cpuTicksByThread(pid, SignUpBench::threadGroup).getOrDefault("jit", 0L) / 100.0;
    }

    /** Where the API's CPU goes: the hashing pool, the garbage collector, the JIT compilers, the rest. */
    private static String threadGroup(String name) {
        if (name.startsWith("duet-argon2")) {
            return "argon2";
        }
        if (name.startsWith("GC Thread")
                || name.equals("VM Thread")
                || name.startsWith("G1 ")
                || name.startsWith("ParGC")) {
            return "gc";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "jit";
        }
        if (name.startsWith("ForkJoinPool-")) {
            return "handlers"; // the carriers of the virtual threads that run the controllers
        }
        if (name.startsWith("default-eventLo")) {
            return "http";
        }
        if (name.startsWith("duet-outbox-rel")) {
            return "relay";
        }
        if (name.startsWith("redisson-")) {
            return "redis";
        }
        return "rest";
    }

    private static double cpuSeconds(long pid) throws Exception {
        return ProcStat.cpuTicks(pid) / 100.0;
    }

    private static String body(String email) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"displayName\":\"Bench\"}";
    }

    static int post(HttpClient http, int port, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** The API in its own JVM, sending mail to {@code smtpPort}; {@code settings}: more -D options. */
    static Process startServer(int port, int smtpPort, String... settings) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("duet-signup-bench-", ".log");
        System.out.println("server log: " + log);
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx2g",
                "-Xmn1g",
                "-XX:+UseParallelGC",
                "--enable-native-access=ALL-UNNAMED",
                "-Dmicronaut.server.port=" + port,
                "-Ddatasources.default.url=" + TestDb.url(),
                "-Dduet.mail.smtp.port=" + smtpPort,
                "-Dduet.ops.token=bench-ops",
                "-Dduet.security.development-secrets=true",
                "-Dduet.rate-limits.signup-per-ip=1000000000",
                "-Dduet.rate-limits.signup-per-address=1000000000",
                "-DDUET_LOG_LEVEL=WARN"));
        command.addAll(List.of(settings));
        // DUET_BENCH_SERVER_OPTS: more JVM options for the API (a JFR recording, another collector)
        String extra = System.getenv("DUET_BENCH_SERVER_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.duet.api.Application"));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    static void awaitReady(HttpClient http, int port, Process server) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the API process exited");
            }
            try {
                var response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/readiness"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (Exception e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the API did not become ready");
    }

    private static void printMachine() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(
                "machine: %d cores, %.1f GiB memory, JDK %s; API in its own JVM (-Xmx2g -Xmn1g, ParallelGC), PostgreSQL and Redis local%n",
                Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() / 1073741824.0, Runtime.version());
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1));
        return sorted.get(index) / 1e6;
    }
}
