package io.duet.local;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./duet run}: the whole stack in one JVM. It takes PostgreSQL, Redis and SMTP from the
 * environment when configured (and fails with a clear message when a configured one does not answer),
 * else the ones on localhost, else real embedded servers it starts itself, with their data under
 * {@code .duet/} so it survives restarts. Ctrl-C stops everything it started.
 */
public final class LocalStack {
    private LocalStack() {}

    public static void main(String[] args) throws Exception {
        LocalSettings settings = LocalSettings.fromEnvironment();
        Files.createDirectories(settings.dataDir());
        List<AutoCloseable> started = new ArrayList<>();
        Map<String, Object> properties = new HashMap<>();
        try {
            LocalServer postgres = LocalPostgres.resolve(settings);
            started.add(postgres);
            LocalServer redis = LocalRedis.resolve(settings);
            started.add(redis);
            LocalServer smtp = LocalSmtp.resolve(settings);
            started.add(smtp);
            properties.putAll(postgres.properties());
            properties.putAll(redis.properties());
            properties.putAll(smtp.properties());
            String opsToken = opsToken(settings);
            properties.put("duet.ops.token", opsToken);
            // Links in the emails point at this stack, on whatever port it listens.
            if (System.getenv("DUET_ACCOUNTS_PUBLIC_BASE_URL") == null) {
                // 127.0.0.1, not localhost: the stack listens on IPv4 loopback only, and a browser that resolves
                // localhost
                // to ::1 first may not retry a form POST on IPv4.
                properties.put("duet.accounts.public-base-url", "http://127.0.0.1:${micronaut.server.port:8080}");
            }
            // Where a request's time went, in every response (browser dev tools draw it).
            if (System.getenv("DUET_HTTP_SERVER_TIMING") == null) {
                properties.put("duet.http.server-timing", true);
            }
            // The one place besides the tests where the published development key may sign tokens.
            properties.put("duet.security.development-secrets", true);
            // A developer's machine: the stack (with its dev inbox and development key) answers this machine
            // only, unless MICRONAUT_SERVER_HOST (or -Dmicronaut.server.host) says otherwise.
            if (System.getenv("MICRONAUT_SERVER_HOST") == null && System.getProperty("micronaut.server.host") == null) {
                properties.put("micronaut.server.host", "127.0.0.1");
            }

            // No Micronaut shutdown hook: this launcher's own hook stops the application (draining the realtime
            // node and the queue workers, which still need PostgreSQL and Redis), and only then the servers it
            // started. The embedded servers register no hooks of their own for the same reason.
            ApplicationContext context = ApplicationContext.builder()
                    .args(args)
                    .mainClass(LocalStack.class)
                    .banner(false)
                    .properties(properties)
                    .singletons(smtp.beans().toArray())
                    .start();
            EmbeddedServer server = context.getBean(EmbeddedServer.class).start();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                System.out.println("duet: stopping the application");
                                try {
                                    context.close();
                                } catch (RuntimeException e) {
                                    System.err.println("duet: the application did not stop cleanly: " + e);
                                }
                                System.out.println("duet: application stopped; stopping the servers it used");
                                closeAll(started);
                                System.out.println("duet: stopped");
                                stopped.countDown();
                            },
                            "duet-shutdown"));
            printReady(server, postgres, redis, smtp, settings);
            stopped.await();
        } catch (LocalServer.UnreachableException e) {
            closeAll(started);
            System.err.println("duet: " + e.getMessage());
            System.exit(2);
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    private static String opsToken(LocalSettings settings) throws Exception {
        String configured = System.getenv("DUET_OPS_TOKEN");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        Path file = settings.dataDir().resolve("ops-token");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        Files.writeString(file, token + "\n");
        return token;
    }

    private static void printReady(
            EmbeddedServer server, LocalServer postgres, LocalServer redis, LocalServer smtp, LocalSettings settings) {
        String base = "http://localhost:" + server.getPort();
        System.out.println();
        System.out.println("Duet is up at " + base);
        System.out.println("  API            " + base + "/v1/...");
        System.out.println("  API docs       " + base + "/swagger-ui/index.html   (OpenAPI: " + base + "/openapi.yml)");
        System.out.println("  Ops page       " + base + "/ops   (token: $DUET_OPS_TOKEN, or the file "
                + settings.dataDir().resolve("ops-token") + ")");
        System.out.println("  Health         " + base + "/health/readiness");
        System.out.println("  Metrics        " + base + "/metrics");
        if (!smtp.beans().isEmpty()) {
            System.out.println("  Received mail  " + base + "/dev/mail");
        }
        System.out.println("  PostgreSQL     " + postgres.description());
        System.out.println("  Redis          " + redis.description());
        System.out.println("  SMTP           " + smtp.description());
        System.out.println("Ctrl-C stops it.");
        System.out.flush();
    }

    private static void closeAll(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                if (started.get(i) instanceof LocalServer server
                        && (server.description().startsWith("embedded")
                                || server.description().startsWith("in-process"))) {
                    System.out.println("duet: stopping " + server.description());
                }
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("duet: could not stop " + started.get(i) + ": " + e.getMessage());
            }
        }
    }
}
