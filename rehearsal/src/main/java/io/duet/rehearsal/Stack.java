package io.duet.rehearsal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The stack as separate processes, so a fault hits one PID: a private PostgreSQL (initdb + pg_ctl), a
 * private Redis with an append-only file, and Duet nodes started from the launcher with their role chosen
 * by settings: API nodes and gateway nodes run no workers ({@code duet.queues.workers-enabled=false}),
 * worker nodes do and get no traffic. Every node runs the same code, as the one deployable does today.
 */
final class Stack implements AutoCloseable {
    static final String JWT_SECRET = "rehearsal-secret-of-duet-0123456789-0123456789";
    static final String OPS_TOKEN = "rehearsal-ops-token";

    enum Role {
        API,
        WORKER,
        GATEWAY
    }

    final class Node {
        final String name;
        final Role role;
        final int port;
        Process process;
        boolean killedForGood;

        Node(String name, Role role, int port) {
            this.name = name;
            this.role = role;
            this.port = port;
        }

        long pid() {
            return process == null ? -1 : process.pid();
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        void start() throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    java(),
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Xmx" + (role == Role.WORKER ? "448m" : "320m"),
                    "-Xss512k",
                    "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow",
                    "-Dduet.local.data-dir=" + dir.resolve(name),
                    "-cp",
                    launcherClasspath,
                    "io.duet.local.LocalStack"));
            ProcessBuilder builder = new ProcessBuilder(command);
            Map<String, String> env = builder.environment();
            env.put("DATASOURCES_DEFAULT_URL", jdbcUrl());
            env.put("DATASOURCES_DEFAULT_USERNAME", "postgres");
            env.put("DATASOURCES_DEFAULT_MAXIMUM_POOL_SIZE", "6");
            env.put("DUET_REDIS_URI", "redis://127.0.0.1:" + redisPort + "/0");
            env.put("DUET_MAIL_SMTP_HOST", "127.0.0.1");
            env.put("DUET_MAIL_SMTP_PORT", Integer.toString(smtpPort));
            env.put("DUET_MAIL_SMTP_TIMEOUT", "5s");
            env.put("DUET_OPS_TOKEN", OPS_TOKEN);
            env.put("DUET_JWT_SECRET", JWT_SECRET);
            env.put("MICRONAUT_SERVER_PORT", Integer.toString(port));
            env.put("DUET_QUEUES_WORKERS_ENABLED", Boolean.toString(role == Role.WORKER));
            env.put("DUET_RATE_LIMITS_TRUSTED_PROXIES", "127.0.0.1/32");
            env.put("DUET_MEDIA_DIR", dir.resolve("media").toString());
            env.put("DUET_REALTIME_NODE_ID", name);
            env.put("DUET_ACCOUNTS_PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
            builder.redirectErrorStream(true);
            builder.redirectOutput(
                    ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
            process = builder.start();
        }

        void awaitReady(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!alive()) {
                    throw new IllegalStateException(name + " exited; see " + dir.resolve(name + ".log"));
                }
                try {
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create(base() + "/health/liveness"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(250);
            }
            throw new IllegalStateException(name + " not up after " + timeout + "; see " + dir.resolve(name + ".log"));
        }

        /** SIGKILL: no shutdown hook, no graceful drain, exactly what a crashed host looks like. */
        void kill() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        String base() {
            return "http://127.0.0.1:" + port;
        }
    }

    final Path dir;
    final String launcherClasspath;
    final String datagenClasspath;
    final int pgPort;
    final int redisPort;
    final int smtpPort;
    final Map<String, Node> nodes = new LinkedHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process redis;
    private final Path pgData;
    private final boolean asPostgresUser;

    Stack(Path dir, Path root, int smtpPort) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.smtpPort = smtpPort;
        Files.createDirectories(this.dir);
        launcherClasspath = root.resolve("local/target/classes") + ":"
                + Files.readString(root.resolve("local/target/classpath.txt")).trim();
        datagenClasspath = root.resolve("bench/target/classes") + ":"
                + Files.readString(root.resolve("bench/target/api-classpath.txt"))
                        .trim();
        pgPort = freePort();
        redisPort = freePort();
        asPostgresUser = "root".equals(System.getProperty("user.name"));
        // initdb refuses to run as root: the cluster then belongs to the postgres user, under /tmp.
        pgData = asPostgresUser ? Path.of("/tmp/duet-rehearsal-pg-" + pgPort) : this.dir.resolve("pg");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pgPort + "/duet";
    }

    // ---- PostgreSQL ----

    private List<String> pg(String... args) {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(args));
        return command;
    }

    void startPostgres() throws Exception {
        String bin = "/usr/lib/postgresql/15/bin/";
        if (asPostgresUser) {
            run(List.of("mkdir", "-p", pgData.toString()));
            run(List.of("chown", "postgres", pgData.toString()));
        }
        run(pg(bin + "initdb", "-D", pgData.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"));
        pgCtl("start");
        run(pg(bin + "createdb", "-h", "127.0.0.1", "-p", Integer.toString(pgPort), "-U", "postgres", "duet"));
    }

    void pgCtl(String action) throws Exception {
        List<String> command = pg(
                "/usr/lib/postgresql/15/bin/pg_ctl",
                "-D",
                pgData.toString(),
                "-w",
                "-t",
                "60",
                "-l",
                pgData + "/server.log");
        if (action.equals("stop-immediate")) {
            command.addAll(List.of("-m", "immediate", "stop"));
        } else {
            command.addAll(List.of(
                    "-o",
                    "-p " + pgPort + " -c listen_addresses=127.0.0.1 -k " + pgData
                            + " -c max_connections=120 -c shared_buffers=96MB",
                    action));
        }
        run(command);
    }

    /** The postmaster's PID and its children's (backends): their CPU is PostgreSQL's share. */
    List<Long> postgresPids() {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid"))
                    .getFirst()
                    .trim());
            List<Long> pids = new ArrayList<>();
            pids.add(postmaster);
            ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(c -> pids.add(c.pid())));
            return pids;
        } catch (Exception e) {
            return List.of();
        }
    }

    void datagen(int couples, int messages) throws Exception {
        List<String> command = List.of(
                java(),
                "-Xmx512m",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp",
                datagenClasspath,
                "io.duet.bench.DataGen",
                "--couples",
                Integer.toString(couples),
                "--messages",
                Integer.toString(messages),
                "--database",
                jdbcUrl());
        run(command);
    }

    // ---- Redis ----

    void startRedis() throws Exception {
        Path redisDir = dir.resolve("redis");
        Files.createDirectories(redisDir);
        ProcessBuilder builder = new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(redisPort),
                "--bind",
                "127.0.0.1",
                "--dir",
                redisDir.toString(),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--protected-mode",
                "no");
        builder.redirectErrorStream(true);
        builder.redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()));
        redis = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (redisCli("PING").contains("PONG")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("redis did not start; see " + dir.resolve("redis.log"));
    }

    long redisPid() {
        return redis == null ? -1 : redis.pid();
    }

    void killRedis() throws InterruptedException {
        if (redis != null && redis.isAlive()) {
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Redis comes back without its data, as a replica promoted without the last writes would. */
    void wipeRedisData() throws IOException {
        Path redisDir = dir.resolve("redis");
        if (Files.exists(redisDir)) {
            try (Stream<Path> files = Files.walk(redisDir)) {
                files.sorted(Comparator.reverseOrder())
                        .filter(p -> !p.equals(redisDir))
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    String redisCli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(redisPort)));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            return "";
        }
    }

    long redisUsedMemory() {
        for (String line : redisCli("INFO", "memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        return -1;
    }

    /** Bytes and entries of one key (a stream, list or sorted set): what one job or event costs in Redis. */
    long[] keyUsage(String key) {
        try {
            String type = redisCli("TYPE", key).trim();
            String count = switch (type) {
                case "stream" -> redisCli("XLEN", key);
                case "list" -> redisCli("LLEN", key);
                case "zset" -> redisCli("ZCARD", key);
                case "hash" -> redisCli("HLEN", key);
                default -> "0";
            };
            long entries = Long.parseLong(count.trim());
            long bytes = entries == 0
                    ? 0
                    : Long.parseLong(
                            redisCli("MEMORY", "USAGE", key, "SAMPLES", "0").trim());
            return new long[] {bytes, entries};
        } catch (Exception e) {
            return new long[] {0, 0};
        }
    }

    /** Bytes per event over up to 50 users' event logs (duet:ev:{user}:log). */
    double bytesPerEvent() {
        long bytes = 0;
        long entries = 0;
        String[] keys = redisCli("--scan", "--pattern", "duet:ev:*:log").split("\\R");
        for (int i = 0; i < keys.length && i < 50; i++) {
            if (keys[i].isBlank()) {
                continue;
            }
            long[] usage = keyUsage(keys[i].trim());
            bytes += usage[0];
            entries += usage[1];
        }
        return entries == 0 ? -1 : bytes / (double) entries;
    }

    // ---- nodes ----

    Node addNode(String name, Role role) throws IOException {
        Node node = new Node(name, role, freePort());
        nodes.put(name, node);
        return node;
    }

    List<Node> nodes(Role role) {
        return nodes.values().stream().filter(n -> n.role == role).toList();
    }

    /** CPU seconds a process has used (user + system, from /proc), or -1 once it is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return -1;
        }
    }

    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // gone
        }
        return -1;
    }

    static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("setup.log").toFile()))
                .start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed; see " + dir.resolve("setup.log"));
        }
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Node node : nodes.values()) {
            try {
                if (node.process != null && node.process.isAlive()) {
                    node.process.destroy();
                }
            } catch (Exception e) {
                // keep stopping the others
            }
        }
        for (Node node : nodes.values()) {
            try {
                if (node.process != null && !node.process.waitFor(15, TimeUnit.SECONDS)) {
                    node.process.destroyForcibly();
                }
            } catch (Exception e) {
                // keep stopping the others
            }
        }
        try {
            killRedis();
        } catch (Exception e) {
            // best effort
        }
        try {
            pgCtl("stop-immediate");
        } catch (Exception e) {
            // best effort
        }
        if (asPostgresUser) {
            try {
                new ProcessBuilder("rm", "-rf", pgData.toString()).start().waitFor(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort
            }
        }
    }

    Map<String, Object> describe() {
        Map<String, Object> d = new HashMap<>();
        nodes.values().forEach(n -> d.put(n.name, n.role + " :" + n.port + " pid " + n.pid()));
        d.put("redis", ":" + redisPort + " pid " + redisPid());
        d.put("postgres", ":" + pgPort);
        return d;
    }
}
