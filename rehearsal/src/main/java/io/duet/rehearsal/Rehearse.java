package io.duet.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./duet rehearse [--quick] [--signups-per-min N] [--minutes M] [--faults LIST]}: the promotion
 * day on the whole stack. Starts the stack as separate processes ({@link Stack}), loads a realistic base
 * (datagen), measures the machine, runs the 30x spike from Gatling in its own JVM while existing couples
 * chat over the realtime gateway ({@link RealtimeProbe}), injects the faults ({@link Faults}), waits for
 * every backlog to drain, and has the {@link Checker} join every request with its effect. Exit status 0
 * only when nothing was lost and nothing unexpected appeared.
 */
public final class Rehearse {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run is: the load's length and rate, the spike, the faults, the base data and the caps. */
    record Options(
            String mode,
            double signupsPerMinute,
            double minutes,
            double spike,
            List<String> faults,
            int couples,
            int messages,
            int probeCouples,
            int drainCapSeconds,
            double faultScale,
            Path out) {

        static Options parse(String[] args) {
            String mode = "full";
            Double perMinute = null;
            Double minutes = null;
            double spike = 30;
            String faults = "all";
            String out = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> mode = "quick";
                    case "--short" -> mode = "short";
                    case "--signups-per-min" -> perMinute = Double.parseDouble(args[++i]);
                    case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                    case "--spike" -> spike = Double.parseDouble(args[++i]);
                    case "--faults" -> faults = args[++i];
                    case "--out" -> out = args[++i];
                    case "--target" -> System.setProperty("rehearsal.target", args[++i]);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown argument " + args[i]
                                        + "\nusage: ./duet rehearse [--quick] [--signups-per-min N] [--minutes M] [--faults LIST|all|none] [--spike X] [--target SIGNUPS_PER_MIN]");
                }
            }
            Path dir = Path.of(
                    out != null
                            ? out
                            : "rehearsal/target/rehearsal/"
                                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            return switch (mode) {
                case "quick" ->
                    new Options(
                            mode,
                            perMinute == null ? 6 : perMinute,
                            minutes == null ? 2.5 : minutes,
                            spike,
                            Faults.parse(faults),
                            400,
                            20_000,
                            10,
                            90,
                            0.6,
                            dir);
                case "short" ->
                    new Options(
                            mode,
                            perMinute == null ? 3 : perMinute,
                            minutes == null ? 1.25 : minutes,
                            spike,
                            Faults.parse(faults),
                            100,
                            4_000,
                            6,
                            60,
                            0.35,
                            dir);
                default ->
                    new Options(
                            mode,
                            perMinute == null ? 12 : perMinute,
                            minutes == null ? 8 : minutes,
                            spike,
                            Faults.parse(faults),
                            2_000,
                            100_000,
                            20,
                            150,
                            1.0,
                            dir);
            };
        }
    }

    private Rehearse() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("duet rehearse: " + e.getMessage());
            System.exit(2);
            return;
        }
        Checker.Result result = run(options, Path.of(System.getProperty("rehearsal.root", ".")), System.out);
        System.exit(result.passed() ? 0 : 1);
    }

    static Checker.Result run(Options options, Path root, PrintStream out) throws Exception {
        long begun = System.currentTimeMillis();
        Path dir = options.out().toAbsolutePath();
        Files.createDirectories(dir);
        out.printf(
                Locale.ROOT,
                "rehearse: %s run, %.1f min of load, usual %.1f signups/min, spike %.0fx, faults %s%n  output %s%n",
                options.mode(),
                options.minutes(),
                options.signupsPerMinute(),
                options.spike(),
                options.faults().isEmpty() ? "none" : String.join(",", options.faults()),
                dir);
        try (MailSink mail = new MailSink(Stack.freePort(), Stack.freePort(), Stack.freePort());
                Stack stack = new Stack(dir, root.toAbsolutePath(), mail.gatePort())) {
            // Ctrl-C or a killed test JVM must not leave six nodes, a Redis and a PostgreSQL behind.
            Thread cleanup = new Thread(
                    () -> {
                        stack.close();
                        ProcessHandle.current()
                                .descendants()
                                .forEach(ProcessHandle::destroyForcibly); // the Gatling JVM
                    },
                    "rehearse-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                return runStack(options, root, out, begun, dir, mail, stack);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook does it
                }
            }
        }
    }

    private static Checker.Result runStack(
            Options options, Path root, PrintStream out, long begun, Path dir, MailSink mail, Stack stack)
            throws Exception {
        {
            out.println("rehearse: private PostgreSQL, Redis (appendonly), datagen " + options.couples() + " couples / "
                    + options.messages() + " messages");
            stack.startPostgres();
            stack.startRedis();
            stack.datagen(options.couples(), options.messages());
            long loadedAt = System.currentTimeMillis();
            for (String name : List.of("api-1", "api-2")) {
                stack.addNode(name, Stack.Role.API);
            }
            for (String name : List.of("worker-1", "worker-2")) {
                stack.addNode(name, Stack.Role.WORKER);
            }
            for (String name : List.of("gateway-1", "gateway-2")) {
                stack.addNode(name, Stack.Role.GATEWAY);
            }
            for (Stack.Node node : stack.nodes.values()) {
                node.start();
            }
            for (Stack.Node node : stack.nodes.values()) {
                node.awaitReady(Duration.ofSeconds(180));
            }
            out.println("rehearse: stack up " + stack.describe());
            long setupMillis = System.currentTimeMillis() - begun;
            try (Balancer apiLb = new Balancer(
                            Stack.freePort(),
                            stack.nodes(Stack.Role.API).stream()
                                    .map(n -> n.port)
                                    .toList());
                    Balancer gatewayLb = new Balancer(
                            Stack.freePort(),
                            stack.nodes(Stack.Role.GATEWAY).stream()
                                    .map(n -> n.port)
                                    .toList())) {
                String api = "http://127.0.0.1:" + apiLb.port();
                String gateway = "http://127.0.0.1:" + gatewayLb.port();
                HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(2))
                        .build();
                Faults.Ops ops = (method, path, body) -> opsCall(http, stack, method, path, body);

                Preflight preflight = Preflight.measure(http, api, stack.jdbcUrl());
                double usualPerSecond = options.signupsPerMinute() / 60.0;
                double peakCap = preflight.peakSignupsPerSecond();
                String scaled = "";
                if (usualPerSecond * options.spike() > peakCap) {
                    double was = usualPerSecond;
                    usualPerSecond = peakCap / options.spike();
                    scaled = String.format(
                            Locale.ROOT,
                            "usual rate scaled from %.1f to %.2f signups/min so the %.0fx peak (%.2f/s) fits this machine",
                            was * 60,
                            usualPerSecond * 60,
                            options.spike(),
                            peakCap);
                }
                int total = (int) Math.round(options.minutes() * 60);
                int steady = (int) Math.round(total * 0.2);
                int ramp = (int) Math.round(total * 0.1);
                int peak = total - 2 * steady - 2 * ramp;
                LoadPlan plan = new LoadPlan(
                        api,
                        mail.codeUrl(),
                        dir.resolve("ledger-load.txt").toString(),
                        usualPerSecond,
                        options.spike(),
                        steady,
                        ramp,
                        peak);
                out.println("rehearse: " + preflight.describe() + (scaled.isEmpty() ? "" : "; " + scaled));

                Ledger probeLedger = Ledger.open(dir.resolve("ledger-probe.txt").toString());
                try (RealtimeProbe probe = new RealtimeProbe(api, gateway, probeLedger)) {
                    long gatewayRssBefore = stack.nodes(Stack.Role.GATEWAY).stream()
                            .mapToLong(n -> Stack.rssBytes(n.pid()))
                            .sum();
                    probe.start(stack.jdbcUrl(), options.probeCouples());
                    Sampler sampler = new Sampler(stack, http, probe);
                    sampler.start();
                    Thread.sleep(2000);
                    long gatewayRssConnected = stack.nodes(Stack.Role.GATEWAY).stream()
                            .mapToLong(n -> Stack.rssBytes(n.pid()))
                            .sum();
                    probe.startSending(3000);

                    Faults faults = new Faults(stack, mail, ops, options.faultScale());
                    List<String> events = new CopyOnWriteArrayList<>();
                    // The Gatling JVM: its own process, its own classpath (this module's), results in dir/gatling.
                    List<String> command = new ArrayList<>(List.of(
                            Stack.java(),
                            "-Xmx768m",
                            "-XX:+UseParallelGC",
                            "--sun-misc-unsafe-memory-access=allow",
                            "--enable-native-access=ALL-UNNAMED",
                            "--add-opens=java.base/java.lang=ALL-UNNAMED"));
                    command.addAll(plan.toProperties());
                    command.add("-Drehearsal.mailWait="
                            + (options.mode().equals("full")
                                    ? 90
                                    : options.mode().equals("quick") ? 45 : 25));
                    command.addAll(List.of(
                            "-cp",
                            ownClasspath(root),
                            "io.gatling.app.Gatling",
                            "-s",
                            PromotionSimulation.class.getName(),
                            "-rf",
                            dir.resolve("gatling").toString()));
                    Process gatling = new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .start();
                    CountDownLatch started = new CountDownLatch(1);
                    List<String> gatlingOut = new CopyOnWriteArrayList<>();
                    Thread.ofVirtual().start(() -> {
                        try (BufferedReader reader =
                                new BufferedReader(new InputStreamReader(gatling.getInputStream()))) {
                            for (String line; (line = reader.readLine()) != null; ) {
                                gatlingOut.add(line);
                                if (line.contains("started")) {
                                    started.countDown();
                                }
                            }
                        } catch (Exception e) {
                            // the process ended
                        }
                        started.countDown();
                    });
                    started.await(120, TimeUnit.SECONDS);
                    long loadStart = System.currentTimeMillis();
                    out.printf(
                            Locale.ROOT,
                            "rehearse: load started (%d s: steady %d, ramp %d, peak %d, ramp %d, steady %d)%n",
                            total,
                            steady,
                            ramp,
                            peak,
                            ramp,
                            steady);
                    List<Thread> scheduled = new ArrayList<>();
                    // Ops raise the email queue's concurrency before the spike and pause media for 30 s mid-spike.
                    scheduled.add(at(loadStart + Math.max(0, steady - 5) * 1000L, () -> {
                        ops.call("PUT", "/ops/queues/email/concurrency", "{\"concurrency\":16}");
                        events.add(stamp(loadStart) + " ops: email concurrency 4 -> 16");
                    }));
                    long mediaPause = Math.max(8, Math.round(30 * options.faultScale()));
                    scheduled.add(at(loadStart + (long) ((steady + ramp + peak * 0.15) * 1000), () -> {
                        ops.call("POST", "/ops/queues/media/pause", null);
                        events.add(stamp(loadStart) + " ops: media paused for " + mediaPause + " s");
                        Thread.sleep(mediaPause * 1000);
                        ops.call("POST", "/ops/queues/media/resume", null);
                        events.add(stamp(loadStart) + " ops: media resumed");
                    }));
                    for (String fault : options.faults()) {
                        scheduled.add(at(loadStart + (long) (Faults.at(fault) * total * 1000), () -> {
                            events.add(stamp(loadStart) + " fault " + fault + " injected");
                            faults.inject(fault);
                            events.add(stamp(loadStart) + " fault " + fault + " restored");
                        }));
                    }
                    // A user may still be waiting for a mail (up to 90 s) and retrying a request (up to 5 tries, 10 s
                    // apart at most).
                    boolean finished = gatling.waitFor(total + 360, TimeUnit.SECONDS);
                    if (!finished) {
                        gatling.destroyForcibly();
                    }
                    long loadEnd = System.currentTimeMillis();
                    for (Thread t : scheduled) {
                        t.join(Duration.ofSeconds(120));
                    }
                    probe.stopSending();
                    out.println("rehearse: load done; waiting for queues, outbox, retries and clients (cap "
                            + options.drainCapSeconds() + " s)");
                    long drained = sampler.awaitDrained(options.drainCapSeconds(), mail);
                    sampler.stop();
                    Files.write(dir.resolve("gatling.log"), gatlingOut);
                    String gatlingReport = gatlingOut.stream()
                            .filter(l -> l.contains("index.html"))
                            .findFirst()
                            .map(l -> l.substring(l.indexOf("file://") >= 0 ? l.indexOf("file://") + 7 : 0)
                                    .trim())
                            .orElse("(no Gatling report: see " + dir.resolve("gatling.log") + ")");
                    probeLedger.close();

                    Checker checker = new Checker(
                            stack.jdbcUrl(),
                            mail,
                            probe,
                            Ledger.read(dir.resolve("ledger-load.txt")),
                            Ledger.read(dir.resolve("ledger-probe.txt")));
                    Checker.Result result = checker.check(loadedAt);
                    Report report = new Report(
                            options,
                            plan,
                            preflight,
                            scaled,
                            faults.windows,
                            events,
                            sampler,
                            result,
                            loadStart,
                            loadEnd,
                            drained,
                            gatlingReport,
                            setupMillis,
                            begun,
                            gatewayRssBefore,
                            gatewayRssConnected,
                            probe,
                            stack.bytesPerEvent());
                    String text = report.render();
                    out.print(text);
                    Files.writeString(dir.resolve("report.txt"), text);
                    Files.writeString(dir.resolve("capacity-inputs.json"), report.capacityJson());
                    Files.writeString(dir.resolve("findings.txt"), report.findingsText());
                    out.println("rehearse: report " + dir.resolve("report.txt") + ", capacity plan "
                            + dir.resolve("capacity-inputs.json"));
                    out.println(report.passedLine());
                    return result;
                }
            }
        }
    }

    /** This module's classes and dependencies: from the file Maven writes (under surefire, java.class.path is a booter jar). */
    static String ownClasspath(Path root) throws java.io.IOException {
        Path file = root.resolve("rehearsal/target/classpath.txt");
        if (Files.exists(file)) {
            return root.resolve("rehearsal/target/classes").toAbsolutePath() + ":"
                    + Files.readString(file).trim();
        }
        return System.getProperty("java.class.path");
    }

    interface Action {
        void run() throws Exception;
    }

    private static Thread at(long when, Action action) {
        return Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Math.max(0, when - System.currentTimeMillis()));
                action.run();
            } catch (Exception e) {
                System.err.println("rehearse: scheduled action failed: " + e);
            }
        });
    }

    static String stamp(long loadStart) {
        return String.format(Locale.ROOT, "t+%05.1fs", (System.currentTimeMillis() - loadStart) / 1000.0);
    }

    /** Ops calls go to a live worker node (the nodes that run the queues); every node reads the settings from PostgreSQL. */
    static void opsCall(HttpClient http, Stack stack, String method, String path, String body) {
        for (int attempt = 0; attempt < 10; attempt++) {
            for (Stack.Node node : stack.nodes(Stack.Role.WORKER)) {
                if (!node.alive()) {
                    continue;
                }
                try {
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.base() + path))
                            .header("Authorization", "Bearer " + Stack.OPS_TOKEN)
                            .timeout(Duration.ofSeconds(5));
                    request.method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
                    if (body != null) {
                        request.header("Content-Type", "application/json");
                    }
                    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() / 100 == 2) {
                        return;
                    }
                } catch (Exception e) {
                    // try the other worker, then again
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        System.err.println("rehearse: ops call " + method + " " + path + " did not succeed");
    }

    static JsonNode queues(HttpClient http, Stack stack) {
        for (Stack.Node node : stack.nodes(Stack.Role.WORKER)) {
            if (!node.alive()) {
                continue;
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(node.base() + "/ops/queues"))
                                .header("Authorization", "Bearer " + Stack.OPS_TOKEN)
                                .timeout(Duration.ofSeconds(3))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return JSON.readTree(r.body());
                }
            } catch (Exception e) {
                // next node
            }
        }
        return null;
    }

    static long scalar(String jdbcUrl, String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
