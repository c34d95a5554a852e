package io.duet.bench;

import io.duet.api.testing.FunctionProcess;
import io.duet.api.testing.HttpApiEvents;
import io.duet.api.testing.LocalRuntimeApi;
import io.duet.api.testing.ProcStat;
import io.duet.api.testing.TestDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./duet bench coldstart}: time from JVM start to the first response of the API function under the
 * real Runtime Interface Client (init plus the first invocation, a signup with production password
 * hashing), each run a fresh JVM, configurations interleaved round by round so a busy neighbour on the
 * machine hurts them alike. Also the init part alone (until the client first asks for an event), the
 * resident memory right after the first response, and the CPU time of the function's JVM up to then by
 * thread group (main, JIT, password hashing, GC and VM): unlike wall time, CPU time hardly changes when a
 * neighbour loads the machine. Runs the function's own package ({@code ./duet package}). The HTTP functions'
 * first request is a signup; the workers' is their scheduled drain.
 *
 * <p>Without {@code --function}, every function with plain and the two best configurations, a RESULT line each;
 * with {@code --function NAME}, that function with every configuration. Options: {@code --runs N} (default 3; each run is a fresh JVM per configuration).
 */
public final class ColdStartBench {
    /** The functions' lazy-init switch (environment variable; see docs/configuration.md). */
    private static final String LAZY_INIT = "DUET_FUNCTION_LAZY_INIT";

    private static final String PASSWORD = "correct-Horse-battery-9";

    /** Every function's handler, by package name. */
    private static final Map<String, String> HANDLERS = new LinkedHashMap<>();

    static {
        HANDLERS.put("api", "io.duet.functions.lambda.ApiHandler::handleRequest");
        HANDLERS.put("signup", "io.duet.functions.lambda.SignUpHandler::handleRequest");
        HANDLERS.put("email-worker", "io.duet.functions.lambda.EmailWorkerHandler::handleRequest");
        HANDLERS.put("media-worker", "io.duet.functions.lambda.MediaResizeWorkerHandler::handleRequest");
        HANDLERS.put("purge-worker", "io.duet.functions.lambda.AccountPurgeWorkerHandler::handleRequest");
    }

    /** The configurations compared when every function is measured: plain and the best two so far. */
    private static final List<String> SHORT = List.of("plain", "lazy+aot-cache", "mn-aot+lazy+c");

    /**
     * One way to start the function: {@code lazy} bean creation, a JDK AOT cache trained for this very
     * configuration, the package's Micronaut AOT jar on the class path or not.
     */
    private record Config(String name, String description, boolean lazy, boolean jdkCache, boolean micronautAot) {
        Map<String, String> env() {
            return lazy ? Map.of(LAZY_INIT, "true") : Map.of();
        }

        Path cache(String function) {
            return Path.of("bench/target/coldstart", function + "-" + name.replace('+', '-') + ".aot");
        }

        List<String> jvmOptions(String function) {
            return jdkCache
                    ? with(FunctionProcess.LAMBDA_JVM_OPTIONS, "-XX:AOTCache=" + cache(function))
                    : FunctionProcess.LAMBDA_JVM_OPTIONS;
        }
    }

    private static final List<Config> CONFIGS = List.of(
            new Config("plain", "managed-runtime defaults (C1 only, serial GC)", false, false, false),
            new Config("aot-cache", "plain + JDK 25 AOT cache (-XX:AOTCache)", false, true, false),
            new Config("lazy", "plain + Micronaut lazy bean init", true, false, false),
            new Config("lazy+aot-cache", "lazy init + its own AOT cache", true, true, false),
            new Config("mn-aot", "plain + Micronaut AOT (the package as shipped)", false, false, true),
            new Config("mn-aot+cache", "Micronaut AOT + its own JDK AOT cache", false, true, true),
            new Config("mn-aot+lazy+c", "Micronaut AOT + lazy init + its own JDK AOT cache", true, true, true));

    /** What one function's comparison found. */
    private record Summary(
            String function, double plainMs, String best, double bestMs, double bestCpuMs, double plainCpuMs) {}

    /** One cold start: wall times, resident memory, and CPU time of the function's JVM by thread group. */
    private record Run(double firstResponseMs, double initMs, double rssMib, Map<String, Double> cpuMs) {
        double cpu(String group) {
            return cpuMs.getOrDefault(group, 0.0);
        }
    }

    /** Thread groups the CPU time is reported by: what runs the code, the JIT, password hashing, the rest. */
    private static final List<String> CPU_GROUPS = List.of("total", "main", "jit", "argon2", "gc+vm", "other");

    private ColdStartBench() {}

    public static void main(String[] args) throws Exception {
        int runs = 3;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--function")) {
                only = args[++i];
                if (!HANDLERS.containsKey(only)) {
                    throw new IllegalArgumentException("--function: one of " + HANDLERS.keySet());
                }
            }
        }
        TestDb.migrate();
        Files.createDirectories(Path.of("bench/target/coldstart"));
        System.out.println(machine());
        List<Summary> summaries = new ArrayList<>();
        if (only != null) {
            summaries.add(bench(only, CONFIGS, runs));
        } else {
            List<Config> configs = CONFIGS.stream()
                    .filter(config -> SHORT.contains(config.name()))
                    .toList();
            for (String function : HANDLERS.keySet()) {
                summaries.add(bench(function, configs, runs));
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT, "%-14s %10s %-16s %10s %8s%n", "function", "plain ms", "best", "best ms", "ratio");
        for (Summary summary : summaries) {
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %10.0f %-16s %10.0f %8.2f%n",
                    summary.function(),
                    summary.plainMs(),
                    summary.best(),
                    summary.bestMs(),
                    summary.bestMs() / summary.plainMs());
        }
        System.out.println("load average at the end: "
                + Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf(
                Locale.ROOT,
                "medians of %d fresh JVMs per configuration; target < 1000 ms first response: %s%n",
                runs,
                summaries.stream().allMatch(summary -> summary.bestMs() < 1000) ? "met" : "not met");
        for (Summary summary : summaries) {
            System.out.printf(
                    Locale.ROOT,
                    "RESULT function=%s first_response_ms=%.0f plain_first_response_ms=%.0f ratio=%.2f best=%s "
                            + "best_cpu_ms=%.0f plain_cpu_ms=%.0f runs=%d%n",
                    summary.function(),
                    summary.bestMs(),
                    summary.plainMs(),
                    summary.bestMs() / summary.plainMs(),
                    summary.best(),
                    summary.bestCpuMs(),
                    summary.plainCpuMs(),
                    runs);
        }
    }

    /** One function: trains the caches its configurations need, then measures them interleaved. */
    private static Summary bench(String function, List<Config> configs, int runs) throws Exception {
        System.out.println();
        System.out.println("Cold start of the " + function + " function ("
                + FunctionProcess.lambdaPackage(function).getFileName() + ", "
                + Files.size(FunctionProcess.lambdaPackage(function)) / (1024 * 1024)
                + " MiB) under the Runtime Interface Client; first request: "
                + (http(function) ? "a signup" : "its scheduled drain"));
        System.out.println(
                "Training the JDK AOT caches (a representative run: 40 requests, or 10 drains of a worker)...");
        for (Config config : configs) {
            if (config.jdkCache()) {
                train(function, config);
            }
        }

        // One discarded start: the first JVM after a build also pays for reading the jar into the page cache.
        for (Config config : configs) {
            measure(function, config);
        }
        Map<String, List<Run>> results = new LinkedHashMap<>();
        for (int round = 0; round < runs; round++) {
            for (Config config : configs) {
                results.computeIfAbsent(config.name(), name -> new ArrayList<>())
                        .add(measure(function, config));
            }
            System.out.printf(Locale.ROOT, "  round %d/%d done%n", round + 1, runs);
        }

        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "%-16s %-52s %9s %8s %8s %8s %8s %8s%n",
                "configuration",
                "",
                "first ms",
                "min ms",
                "max ms",
                "init ms",
                "CPU ms",
                "RSS MiB");
        String best = null;
        double bestMedian = Double.MAX_VALUE;
        for (Config config : configs) {
            List<Run> list = results.get(config.name());
            double median = median(list, Run::firstResponseMs);
            System.out.printf(
                    Locale.ROOT,
                    "%-16s %-52s %9.0f %8.0f %8.0f %8.0f %8.0f %8.0f%n",
                    config.name(),
                    config.description(),
                    median,
                    list.stream().mapToDouble(Run::firstResponseMs).min().orElse(0),
                    list.stream().mapToDouble(Run::firstResponseMs).max().orElse(0),
                    median(list, Run::initMs),
                    median(list, run -> run.cpu("total")),
                    median(list, Run::rssMib));
            if (median < bestMedian) {
                bestMedian = median;
                best = config.name();
            }
        }
        System.out.println();
        System.out.println(
                "CPU time up to the first response by thread (medians, ms): main = the runtime client's thread (init and the");
        System.out.println(
                "invocation), jit = the C1 compiler, argon2 = the signup's password hash, gc+vm = GC and VM operations");
        System.out.printf(Locale.ROOT, "%-16s", "configuration");
        CPU_GROUPS.forEach(group -> System.out.printf(Locale.ROOT, " %8s", group));
        System.out.println();
        for (Config config : configs) {
            List<Run> list = results.get(config.name());
            System.out.printf(Locale.ROOT, "%-16s", config.name());
            CPU_GROUPS.forEach(group -> System.out.printf(Locale.ROOT, " %8.0f", median(list, run -> run.cpu(group))));
            System.out.println();
        }
        double plain = median(results.get("plain"), Run::firstResponseMs);
        if (results.containsKey("mn-aot") && results.containsKey("aot-cache")) {
            System.out.printf(
                    Locale.ROOT,
                    "Micronaut AOT alone: %.0f ms vs plain %.0f ms (%.2fx); with the JDK AOT cache: %.0f vs %.0f ms%n",
                    median(results.get("mn-aot"), Run::firstResponseMs),
                    plain,
                    median(results.get("mn-aot"), Run::firstResponseMs) / plain,
                    median(results.get("mn-aot+cache"), Run::firstResponseMs),
                    median(results.get("aot-cache"), Run::firstResponseMs));
        }
        return new Summary(
                function,
                plain,
                best,
                bestMedian,
                median(results.get(best), run -> run.cpu("total")),
                median(results.get("plain"), run -> run.cpu("total")));
    }

    private static boolean http(String function) {
        return function.equals("api") || function.equals("signup");
    }

    /** The function's first request: a signup with production hashing, or a worker's scheduled drain. */
    private static String firstEvent(String function) {
        return http(function) ? signUp() : LocalRuntimeApi.SCHEDULED;
    }

    private static boolean answered(String function, LocalRuntimeApi.Answer answer) {
        return !answer.error()
                && (http(function)
                        ? answer.body().contains("\"statusCode\":202")
                        : answer.body().contains("\"queue\""));
    }

    /** CPU time (user + system) of every thread of a process so far, summed by {@link #CPU_GROUPS}. */
    private static Map<String, Double> cpuByGroup(long pid) throws IOException {
        Map<String, Double> groups = new LinkedHashMap<>();
        ProcStat.cpuTicksByThread(pid, ColdStartBench::group).forEach((group, ticks) -> {
            double ms = ticks * 10.0; // 100 ticks a second
            groups.merge(group, ms, Double::sum);
            groups.merge("total", ms, Double::sum);
        });
        return groups;
    }

    private static String group(String threadName) {
        // The JVM's first thread is named after the launcher ("java"): the runtime client's main loop.
        if (threadName.equals("java")) {
            return "main";
        }
        if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) {
            return "jit";
        }
        if (threadName.startsWith("duet-argon2")) {
            return "argon2";
        }
        if (threadName.startsWith("VM Thread")
                || threadName.startsWith("GC ")
                || threadName.startsWith("VM Periodic")) {
            return "gc+vm";
        }
        return "other";
    }

    /**
     * The function's settings for a run of {@code config}: the test services with production password
     * hashing (the signup's hash is part of a cold start); the rate limits stay off only because every run
     * signs up from one address.
     */
    private static Map<String, String> environment(Config config) {
        Map<String, String> env = FunctionProcess.testEnvironment();
        env.remove("DUET_ACCOUNTS_ARGON2_MEMORY_KIB");
        env.remove("DUET_ACCOUNTS_ARGON2_ITERATIONS");
        env.putAll(config.env());
        return env;
    }

    private static Run measure(String function, Config config) throws Exception {
        Map<String, String> env = environment(config);
        try (LocalRuntimeApi runtime = new LocalRuntimeApi()) {
            String id = runtime.invoke(firstEvent(function), Duration.ofSeconds(30));
            try (FunctionProcess process = FunctionProcess.start(
                    function,
                    HANDLERS.get(function),
                    runtime,
                    env,
                    config.jvmOptions(function),
                    config.micronautAot())) {
                LocalRuntimeApi.Answer answer;
                try {
                    answer = runtime.await(id, Duration.ofSeconds(60));
                } catch (AssertionError e) {
                    throw new IllegalStateException(config.name() + ": " + e.getMessage() + "\n" + process.output());
                }
                double rss = process.rssKib() / 1024.0;
                Map<String, Double> cpu = cpuByGroup(process.process().pid());
                if (!answered(function, answer)) {
                    throw new IllegalStateException(
                            config.name() + ": unexpected answer " + answer.body() + "\n" + process.output());
                }
                return new Run(
                        (answer.arrivedNanos() - process.startedNanos()) / 1e6,
                        (runtime.firstNextNanos() - process.startedNanos()) / 1e6,
                        rss,
                        cpu);
            }
        }
    }

    /**
     * A representative run of the configuration that writes its JDK AOT cache when the JVM ends (the class path
     * and settings must match its use): signups, sign-ins and reads for an HTTP function, drains for a worker.
     */
    static void train(String function, Config config) throws Exception {
        Path cache = config.cache(function);
        Files.deleteIfExists(cache);
        Map<String, String> env = environment(config);
        try (LocalRuntimeApi runtime = new LocalRuntimeApi()) {
            FunctionProcess process = FunctionProcess.start(
                    function,
                    HANDLERS.get(function),
                    runtime,
                    env,
                    with(FunctionProcess.LAMBDA_JVM_OPTIONS, "-XX:AOTCacheOutput=" + cache),
                    config.micronautAot());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10 && !http(function); i++) {
                ids.add(runtime.invoke(LocalRuntimeApi.SCHEDULED, Duration.ofSeconds(30)));
            }
            for (int i = 0; i < 10 && http(function); i++) {
                ids.add(runtime.invoke(signUp(), Duration.ofSeconds(30)));
                ids.add(runtime.invoke(
                        HttpApiEvents.json(
                                "POST",
                                "/v1/sessions",
                                Map.of("content-type", "application/json"),
                                HttpApiEvents.body(Map.of("email", fresh(), "password", "not-the-password-1"))),
                        Duration.ofSeconds(30)));
                ids.add(runtime.invoke(HttpApiEvents.json("GET", "/v1/me", Map.of(), null), Duration.ofSeconds(30)));
                ids.add(runtime.invoke(
                        HttpApiEvents.json(
                                "POST", "/v1/accounts", Map.of("content-type", "application/json"), "{\"email\":"),
                        Duration.ofSeconds(30)));
            }
            for (String id : ids) {
                runtime.await(id, Duration.ofSeconds(60));
            }
            // SIGTERM: the JVM exits normally and writes the cache on the way out.
            process.process().destroy();
            if (!process.process().waitFor(120, TimeUnit.SECONDS)) {
                process.process().destroyForcibly();
                throw new IllegalStateException("training run did not exit\n" + process.output());
            }
            if (!Files.isRegularFile(cache)) {
                throw new IllegalStateException("no AOT cache written\n" + process.output());
            }
            System.out.printf(Locale.ROOT, "  %s: %d MiB%n", cache.getFileName(), Files.size(cache) / (1024 * 1024));
        }
    }

    private static String fresh() {
        return "cold-" + UUID.randomUUID().toString().substring(0, 12) + "@example.com";
    }

    private static String signUp() {
        return HttpApiEvents.json(
                "POST",
                "/v1/accounts",
                Map.of("content-type", "application/json"),
                HttpApiEvents.body(Map.of("email", fresh(), "password", PASSWORD, "displayName", "Ada")));
    }

    private static List<String> with(List<String> options, String extra) {
        List<String> all = new ArrayList<>(options);
        all.add(extra);
        return all;
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> value) {
        return median(runs.stream().mapToDouble(value).toArray());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String machine() throws IOException {
        String memory = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(line -> line.startsWith("MemTotal"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / (1024 * 1024) + " GiB")
                .findFirst()
                .orElse("?");
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 2))
                .findFirst()
                .orElse("?");
        return String.format(
                Locale.ROOT,
                "machine: %d cores (%s), %s memory, JDK %s (%s); load average %s",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                memory,
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                Files.readString(Path.of("/proc/loadavg")).trim());
    }
}
