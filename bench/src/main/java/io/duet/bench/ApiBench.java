package io.duet.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code ./duet bench api}: an authenticated mix (70% message pages, 20% sends, 10% {@code /v1/me} and
 * {@code /v1/couple}) against the real API in its own JVM, on (a) a database with 10,000 messages and
 * (b) one with 10 million (both made by {@link DataGen}, kept between runs), at 64 and 256 clients.
 *
 * <p>Two kinds of load per database. <b>Capacity</b>: every client sends its next request as soon as the
 * last one is answered (closed loop), which finds the throughput. <b>Paced</b>: the same offered rate on
 * both databases (half the capacity measured on (a) at 64 clients), each client on a fixed schedule, and
 * latency counted from when a request was due, so a stalled server cannot hide its queue (no coordinated
 * omission). The p99 of the paced runs is the latency figure, and p99(b)/p99(a) shows whether cost stays
 * flat as data grows. Server CPU per request is the API JVM's CPU time (and PostgreSQL's, from /proc)
 * over the measured window divided by the requests answered.
 */
public final class ApiBench {
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final String SECRET = "bench-secret-of-duet-0123456789-0123456789-abcdef";
    private static final String REDIS = "redis://127.0.0.1:6379/9";

    record Client(UUID accountId, UUID coupleId, long lastSeq, String token) {}

    record Result(
            String name,
            double rps,
            double p50,
            double p99,
            double max,
            long requests,
            long errors,
            double apiCpuMs,
            double pgCpuMs,
            double clientCpuMs) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Duration measure = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "20")));
        // The API's JIT compiles for a good half minute under load (Micronaut, Netty, Reactor, serde): measure after.
        Duration warmUp = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "40")));
        long largeMessages = Long.parseLong(options.getOrDefault("large-messages", "10000000"));
        String base = System.getenv().getOrDefault("DUET_BENCH_DATABASE_BASE", "jdbc:postgresql://127.0.0.1:5432/");

        System.out.printf(
                "machine: %d cores, %.0f GiB, %s %s; PostgreSQL and Redis on the same machine%n",
                Runtime.getRuntime().availableProcessors(),
                totalMemoryGib(),
                System.getProperty("java.vm.name"),
                Runtime.version());
        String small = base + "duet_bench_small";
        String large = base + "duet_bench_large";
        new DataGen(new DataGen.Options(small, "postgres", "", 1_000, 10_000, 42, 2000, false), System.out).run();
        DataGen.Options largeSet = new DataGen.Options(
                large, "postgres", "", (int) Math.max(1000, largeMessages / 100), largeMessages, 42, 2000, false);
        try {
            new DataGen(largeSet, System.out).run();
        } catch (DataGen.SeedTaken other) {
            // The bench's own database, loaded at another --large-messages: load it again at this size.
            System.out.println("datagen: " + other.getMessage() + "; dropping it");
            Databases.drop(large, "postgres", "");
            new DataGen(largeSet, System.out).run();
        }

        // (b) may hold more than this run asked for (datagen adds data sets with other seeds): count it.
        long largeHeld = estimatedMessages(large);
        List<Result> results = new ArrayList<>();
        double pacedRate;
        try (Server server = Server.start(small)) {
            List<Client> clients = clients(small, 256);
            run(server, clients.subList(0, 64), 0, warmUp, "warm-up", null);
            Result capacity = run(server, clients.subList(0, 64), 0, measure, "a: capacity, 64 clients", server);
            results.add(capacity);
            results.add(run(server, clients, 0, measure, "a: capacity, 256 clients", server));
            pacedRate = Math.max(100, Math.round(capacity.rps() / 2 / 50) * 50);
            results.add(run(server, clients.subList(0, 64), pacedRate, measure, "a: paced, 64 clients", server));
            results.add(run(server, clients, pacedRate, measure, "a: paced, 256 clients", server));
        }
        try (Server server = Server.start(large)) {
            List<Client> clients = clients(large, 256);
            run(server, clients.subList(0, 64), 0, warmUp, "warm-up", null);
            results.add(run(server, clients.subList(0, 64), 0, measure, "b: capacity, 64 clients", server));
            results.add(run(server, clients, 0, measure, "b: capacity, 256 clients", server));
            results.add(run(server, clients.subList(0, 64), pacedRate, measure, "b: paced, 64 clients", server));
            results.add(run(server, clients, pacedRate, measure, "b: paced, 256 clients", server));
        }

        System.out.printf(
                "%n(a) %s: 10,000 messages; (b) %s: %,d messages (planner estimate). Paced rate: %.0f requests/s.%n",
                small, large, largeHeld, pacedRate);
        System.out.printf(
                "%-28s %10s %9s %9s %9s %9s %7s %12s %12s %13s%n",
                "run",
                "req/s",
                "p50 ms",
                "p99 ms",
                "max ms",
                "requests",
                "errors",
                "API CPU/req",
                "PG CPU/req",
                "load CPU/req");
        for (Result r : results) {
            System.out.printf(
                    Locale.ROOT,
                    "%-28s %10.0f %9.2f %9.2f %9.1f %9d %7d %10.3f ms %10.3f ms %10.3f ms%n",
                    r.name(),
                    r.rps(),
                    r.p50(),
                    r.p99(),
                    r.max(),
                    r.requests(),
                    r.errors(),
                    r.apiCpuMs(),
                    r.pgCpuMs(),
                    r.clientCpuMs());
        }
        Result a256 = find(results, "a: paced, 256 clients");
        Result b256 = find(results, "b: paced, 256 clients");
        Result a64 = find(results, "a: paced, 64 clients");
        Result b64 = find(results, "b: paced, 64 clients");
        long errors = results.stream().mapToLong(Result::errors).sum();
        long requests = results.stream().mapToLong(Result::requests).sum();
        if (errors > requests / 1000) {
            // Latencies of refused requests say nothing about the API: the run does not count.
            System.err.printf(
                    "the run is not valid: %d of %d requests failed (non-2xx or no answer); see the API's log%n",
                    errors, requests);
            System.exit(1);
        }
        System.out.printf(
                Locale.ROOT,
                "%np99(b)/p99(a) at 256 clients: %.2f (target <= 1.5); at 64: %.2f. p99 at 256 on (b): %.1f ms "
                        + "(target < 50). Errors: %d.%n",
                b256.p99() / a256.p99(),
                b64.p99() / a64.p99(),
                b256.p99(),
                errors);
        System.out.printf(
                Locale.ROOT,
                "RESULT paced_rps=%.0f p99_ms_a_256=%.2f p99_ms_b_256=%.2f p99_ratio_256=%.2f p99_ratio_64=%.2f "
                        + "capacity_rps_a_64=%.0f capacity_rps_b_64=%.0f api_cpu_ms_per_req_b=%.3f pg_cpu_ms_per_req_b=%.3f "
                        + "errors=%d large_messages=%d%n",
                pacedRate,
                a256.p99(),
                b256.p99(),
                b256.p99() / a256.p99(),
                b64.p99() / a64.p99(),
                find(results, "a: capacity, 64 clients").rps(),
                find(results, "b: capacity, 64 clients").rps(),
                b256.apiCpuMs(),
                b256.pgCpuMs(),
                errors,
                largeHeld);
    }

    static long estimatedMessages(String url) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                ResultSet rows = connection
                        .createStatement()
                        .executeQuery("SELECT reltuples::bigint FROM pg_class WHERE relname = 'message'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Result find(List<Result> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * Clients from the dataset: half from the most active couples, half from random ones (mostly quiet). Each
     * is signed in: a session (a refresh token row of its own family) and an access token naming it, since
     * the API refuses an access token whose session holds no live refresh token.
     */
    static List<Client> clients(String url, int count) throws Exception {
        List<Client> clients = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                var session = connection.prepareStatement("""
                        INSERT INTO refresh_token (id, family_id, account_id, token_hash, created_at, expires_at)
                        VALUES (?, ?, ?, ?, now(), now() + interval '1 day')""")) {
            for (String order : List.of("c.last_seq DESC", "random()")) {
                try (ResultSet rows = connection.createStatement().executeQuery("""
                        SELECT m.account_id, c.id, c.last_seq FROM couple c JOIN couple_member m ON m.couple_id = c.id
                        WHERE c.ended_at IS NULL AND m.left_at IS NULL ORDER BY %s LIMIT %d""".formatted(order, count / 2))) {
                    while (rows.next()) {
                        UUID account = rows.getObject(1, UUID.class);
                        UUID sessionId = UUID.randomUUID();
                        byte[] hash = new byte[32];
                        RANDOM.nextBytes(hash);
                        session.setObject(1, UUID.randomUUID());
                        session.setObject(2, sessionId);
                        session.setObject(3, account);
                        session.setBytes(4, hash);
                        session.executeUpdate();
                        clients.add(new Client(
                                account, rows.getObject(2, UUID.class), rows.getLong(3), token(account, sessionId)));
                    }
                }
            }
        }
        java.util.Collections.shuffle(clients, new java.util.Random(7));
        return clients;
    }

    private static String token(UUID account, UUID sessionId) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject(account.toString())
                        .claim("sid", sessionId.toString())
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(Duration.ofHours(2))))
                        .build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /**
     * One run: each client loops for {@code duration}; with {@code rate} 0 back to back, else on a fixed
     * schedule of rate / clients requests per second each.
     */
    static Result run(Server server, List<Client> clients, double rate, Duration duration, String name, Server measured)
            throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                .build();
        Recorder latencies = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long cpuBefore = measured == null ? 0 : measured.cpuNanos();
        long pgBefore = measured == null ? 0 : postgresCpuNanos();
        long clientBefore = selfCpuNanos();
        CountDownLatch done = new CountDownLatch(clients.size());
        double perClientInterval = rate > 0 ? 1e9 * clients.size() / rate : 0;
        for (Client client : clients) {
            Thread.ofVirtual().start(() -> {
                SplittableRandom random =
                        new SplittableRandom(client.accountId().getLeastSignificantBits());
                long due = start + (perClientInterval > 0 ? (long) (random.nextDouble() * perClientInterval) : 0);
                long[] scrollBefore = {Math.max(1, client.lastSeq() + 1 - 50)};
                try {
                    while (true) {
                        long now = System.nanoTime();
                        if (perClientInterval > 0) {
                            if (due >= end) {
                                break;
                            }
                            if (due > now) {
                                Thread.sleep(Duration.ofNanos(due - now));
                            }
                        } else {
                            if (now >= end) {
                                break;
                            }
                            due = now;
                        }
                        int status;
                        try {
                            status = http.send(
                                            request(server, client, random, scrollBefore),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode();
                        } catch (IOException e) {
                            status = -1;
                        }
                        long finished = System.nanoTime();
                        latencies.recordValue(Math.max(1, (finished - due) / 1000));
                        answered.incrementAndGet();
                        if (status < 200 || status >= 300) {
                            errors.incrementAndGet();
                        }
                        if (perClientInterval > 0) {
                            due += (long) perClientInterval;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = measured == null ? 0 : measured.cpuNanos() - cpuBefore;
        long pg = measured == null ? 0 : postgresCpuNanos() - pgBefore;
        long clientCpu = selfCpuNanos() - clientBefore;
        Histogram histogram = latencies.getIntervalHistogram();
        long requests = answered.get();
        Result result = new Result(
                name,
                requests / seconds,
                histogram.getValueAtPercentile(50) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0,
                histogram.getMaxValue() / 1000.0,
                requests,
                errors.get(),
                requests == 0 ? 0 : cpu / 1e6 / requests,
                requests == 0 ? 0 : pg / 1e6 / requests,
                requests == 0 ? 0 : clientCpu / 1e6 / requests);
        if (measured != null) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-28s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d%n",
                    name,
                    result.rps(),
                    result.p50(),
                    result.p99(),
                    result.errors());
        }
        http.close();
        return result;
    }

    /**
     * 70% pages, 20% sends, 5% /v1/me, 5% /v1/couple. A page is the newest one, or (one in ten) the next
     * older page after the last one this client saw, as a user scrolling back through the history does:
     * keyset pages, so a client can only ask for a seq it has seen.
     */
    private static HttpRequest request(Server server, Client client, SplittableRandom random, long[] scrollBefore) {
        int pick = random.nextInt(100);
        HttpRequest.Builder builder;
        if (pick < 70) {
            String query;
            if (random.nextInt(10) == 0 && scrollBefore[0] > 1) {
                query = "?limit=50&before=" + scrollBefore[0];
                scrollBefore[0] = Math.max(1, scrollBefore[0] - 50);
            } else {
                query = "?limit=50";
                scrollBefore[0] = Math.max(1, client.lastSeq() + 1 - 50);
            }
            builder = HttpRequest.newBuilder(server.uri("/v1/couple/messages" + query))
                    .GET();
        } else if (pick < 90) {
            String body = "{\"clientId\":\"" + UUID.randomUUID() + "\",\"text\":\"bench message "
                    + random.nextInt(1_000_000) + " — thinking of you\"}";
            builder = HttpRequest.newBuilder(server.uri("/v1/couple/messages"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
        } else if (pick < 95) {
            builder = HttpRequest.newBuilder(server.uri("/v1/me")).GET();
        } else {
            builder = HttpRequest.newBuilder(server.uri("/v1/couple")).GET();
        }
        return builder.header("Authorization", "Bearer " + client.token())
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    /** CPU time of every PostgreSQL process, from /proc (0 where /proc is not readable). */
    static long postgresCpuNanos() {
        long ticks = 0;
        File[] processes =
                new File("/proc").listFiles((dir, entry) -> entry.chars().allMatch(Character::isDigit));
        if (processes == null) {
            return 0;
        }
        for (File process : processes) {
            try {
                String stat = Files.readString(process.toPath().resolve("stat"));
                if (stat.contains("(postgres)")) {
                    ticks += cpuTicks(stat);
                }
            } catch (IOException | RuntimeException e) {
                // the process ended while we looked
            }
        }
        return ticks * 10_000_000L;
    }

    /** utime + stime (fields 14 and 15) of a /proc/PID/stat line, in clock ticks (100 per second). */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** This JVM's CPU time: the load generator's share of the machine. */
    static long selfCpuNanos() {
        try {
            return cpuTicks(Files.readString(Path.of("/proc/self/stat"))) * 10_000_000L;
        } catch (IOException e) {
            return 0;
        }
    }

    private static double totalMemoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return 0;
    }

    /** The API in its own JVM (io.duet.api.Application), on a free port, against the given database. */
    static final class Server implements AutoCloseable {
        private final Process process;
        private final int port;

        private Server(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Server start(String databaseUrl) throws Exception {
            int port;
            // address reuse off, as Netty binds: a port a closed connection still holds in TIME_WAIT is not chosen
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new java.net.InetSocketAddress(0));
                port = socket.getLocalPort();
            }
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path log = Files.createTempFile("duet-bench-api-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    java,
                    "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow",
                    "-Xmx1g",
                    "-XX:+UseParallelGC",
                    // The bench's few accounts send far faster than a person; the per-account limit is not what it
                    // measures.
                    "-Dduet.rate-limits.messages-per-account=1000000000"));
            String extra = System.getenv("DUET_BENCH_SERVER_OPTS");
            if (extra != null && !extra.isBlank()) {
                command.addAll(List.of(extra.trim().split("\\s+")));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.duet.api.Application"));
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("DATASOURCES_DEFAULT_URL", databaseUrl);
            builder.environment().put("DUET_REDIS_URI", REDIS);
            builder.environment().put("DUET_JWT_SECRET", SECRET);
            builder.environment().put("MICRONAUT_SERVER_PORT", Integer.toString(port));
            builder.environment().put("DUET_LOG_LEVEL", "WARN");
            builder.environment().put("DUET_MAIL_SMTP_PORT", "1");
            Server server = new Server(builder.start(), port);
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                if (!server.process.isAlive()) {
                    throw new IllegalStateException("the API exited; its log: " + log);
                }
                try {
                    if (http.send(
                                            HttpRequest.newBuilder(server.uri("/health/readiness"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return server;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(250);
            }
            server.close();
            throw new IllegalStateException("the API did not become ready within 90 s; its log: " + log);
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        long cpuNanos() {
            try {
                return cpuTicks(Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"))) * 10_000_000L;
            } catch (IOException e) {
                return 0;
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
