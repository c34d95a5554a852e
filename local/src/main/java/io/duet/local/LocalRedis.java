package io.duet.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/** Redis for the local stack: configured, else local, else an embedded real redis-server. */
final class LocalRedis {
    private LocalRedis() {}

    static LocalServer resolve(LocalSettings settings) throws IOException {
        String uri = LocalSettings.env("DUET_REDIS_URI");
        if (uri != null) {
            URI parsed = URI.create(uri);
            String shown = parsed.getScheme() + "://" + parsed.getHost() + ":" + parsed.getPort() + parsed.getPath();
            if (!pings(parsed.getHost(), parsed.getPort() > 0 ? parsed.getPort() : 6379)) {
                throw new LocalServer.UnreachableException(
                        "DUET_REDIS_URI=" + shown + " does not answer PING. Start that server or unset the variable.");
            }
            return LocalServer.fixed(Map.of(), "configured: " + shown);
        }
        String probe = settings.redisProbe();
        int colon = probe.lastIndexOf(':');
        if (pings(probe.substring(0, colon), Integer.parseInt(probe.substring(colon + 1)))) {
            return LocalServer.fixed(
                    Map.of("duet.redis.uri", "redis://" + probe + "/0"), "local server redis://" + probe + "/0");
        }
        var dir = settings.dataDir().resolve("redis");
        Files.createDirectories(dir);
        int port = settings.embeddedRedisPort();
        // The redis-server binary that embedded-redis bundles, run as our own child process: the library's
        // RedisServer registers a shutdown hook that would stop Redis while the application still drains.
        File binary = ExecutableProvider.newJarResourceProvider().get();
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid"); // its own session: a Ctrl-C in the terminal reaches the launcher only
        }
        command.addAll(List.of(
                binary.getAbsolutePath(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--appendonly",
                "yes",
                "--maxmemory-policy",
                "noeviction",
                "--save",
                ""));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!pings("127.0.0.1", port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException(
                        "embedded redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while redis-server started", e);
            }
        }
        return new LocalServer() {
            @Override
            public Map<String, Object> properties() {
                return Map.of("duet.redis.uri", "redis://127.0.0.1:" + port + "/0");
            }

            @Override
            public String description() {
                return "embedded redis-server on port " + port + ", data in " + dir;
            }

            @Override
            public void close() throws InterruptedException {
                process.destroy(); // SIGTERM: redis-server flushes its append-only file and exits
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        };
    }

    /** A bare RESP PING, so that probing needs no client library and no pool. */
    static boolean pings(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = new byte[64];
            int read = in.read(answer);
            String text = read > 0 ? new String(answer, 0, read, StandardCharsets.US_ASCII) : "";
            // +PONG, or -NOAUTH from a server that wants a password: either way a Redis answers.
            return text.startsWith("+PONG") || text.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }
}
