package io.duet.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.FreePort;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The launcher behind {@code ./duet run}, started as {@code ./duet run} starts it: a fresh JVM. With no
 * server configured and none answering where it looks, it brings up embedded PostgreSQL, Redis and SMTP;
 * a configured server that does not answer is a clear error, not a silent fallback.
 */
class LocalStackTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void givenNoServersReachable_whenLaunched_thenEmbeddedServersComeUpAndCtrlCStopsIt() throws Exception {
        Path data = Files.createTempDirectory("duet-local-");
        int port = FreePort.get();
        int smtp = FreePort.get();
        Launched stack = launch(
                List.of(
                        "-Dduet.local.data-dir=" + data,
                        "-Dduet.local.postgres-probe=127.0.0.1:1",
                        "-Dduet.local.redis-probe=127.0.0.1:1",
                        "-Dduet.local.embedded-postgres-port=" + FreePort.get(),
                        "-Dduet.local.embedded-redis-port=" + FreePort.get(),
                        "-Dduet.local.smtp-port=" + smtp,
                        "-Dmicronaut.server.port=" + port),
                Map.of());
        try {
            stack.awaitLine("Duet is up at", 180);

            var readiness = get(port, "/health/readiness");
            assertEquals(200, readiness.statusCode(), readiness.body());
            assertTrue(readiness.body().contains("\"redis\":{\"name\":\"duet\",\"status\":\"UP\""), readiness.body());
            assertTrue(stack.output().contains("embedded PostgreSQL on port"), stack.output());
            assertTrue(stack.output().contains("embedded redis-server on port"), stack.output());
            assertTrue(Files.isDirectory(data.resolve("postgres")));
            List<java.net.InetAddress> external = externalAddresses();
            assertTrue(!external.isEmpty(), "this test needs a network interface besides loopback");
            for (java.net.InetAddress address : external) {
                assertThrows(
                        IOException.class, () -> new java.net.Socket(address, port).close(), "reachable at " + address);
            }

            sendMail(smtp, "partner@example.test", "A mail from elsewhere");
            var signup = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/accounts"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"email\":\"ana@example.test\",\"password\":\"a long local password\","
                                            + "\"displayName\":\"Ana\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, signup.statusCode(), signup.body());
            String json = awaitMailTo(port, "ana@example.test");
            Matcher code = Pattern.compile("\"subject\":\"(\\d{6}) is your Duet code\"")
                    .matcher(json);
            assertTrue(code.find(), json);

            DevInbox.openInChromium(port, code.group(1));
        } finally {
            stack.process.destroy();
        }
        boolean stopped = stack.process.waitFor(60, TimeUnit.SECONDS);
        if (!stopped) {
            stack.process.destroyForcibly();
        }
        assertTrue(stopped, "stopped on SIGTERM:\n" + stack.output());
        stack.drained.get(10, TimeUnit.SECONDS);
        String output = stack.output();
        assertTrue(output.contains("duet: stopped"), output);
        // The application (the realtime node's drain, the queue workers) stops before the servers it uses.
        int draining = output.indexOf("realtime node draining");
        int applicationStopped = output.indexOf("duet: application stopped");
        int postgresStopping = output.indexOf("duet: stopping embedded PostgreSQL");
        int redisStopping = output.indexOf("duet: stopping embedded redis-server");
        assertTrue(
                draining >= 0 && applicationStopped > draining,
                "the node drained, then the application stopped:\n" + output);
        assertTrue(
                postgresStopping > applicationStopped && redisStopping > applicationStopped,
                "embedded PostgreSQL and Redis stop after the application:\n" + output);
    }

    @Test
    void givenConfiguredRedisNotAnswering_whenLaunched_thenExitsWithClearError() throws Exception {
        Launched stack = launch(
                List.of(
                        "-Dduet.local.data-dir=" + Files.createTempDirectory("duet-local-"),
                        "-Dmicronaut.server.port=" + FreePort.get()),
                Map.of("DUET_REDIS_URI", "redis://127.0.0.1:1/0"));

        assertTrue(stack.process.waitFor(120, TimeUnit.SECONDS));
        stack.drained.get(10, TimeUnit.SECONDS);

        assertEquals(2, stack.process.exitValue());
        assertTrue(stack.output().contains("DUET_REDIS_URI=redis://127.0.0.1:1/0 does not answer"), stack.output());
    }

    private record Launched(Process process, List<String> lines, CompletableFuture<Void> drained) {
        String output() {
            return String.join("\n", lines);
        }

        void awaitLine(String start, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (lines.stream().noneMatch(line -> line.startsWith(start))) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("launcher did not print '" + start + "':\n" + output());
                }
                Thread.sleep(200);
            }
        }
    }

    /** The machine's own addresses that are not loopback (the stack must not answer on them). */
    private static List<java.net.InetAddress> externalAddresses() throws IOException {
        List<java.net.InetAddress> addresses = new ArrayList<>();
        for (var network : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (network.isUp() && !network.isLoopback()) {
                network.inetAddresses()
                        .filter(address -> address instanceof java.net.Inet4Address)
                        .forEach(addresses::add);
            }
        }
        return addresses;
    }

    private static Launched launch(List<String> properties, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(properties);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LocalStack.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        for (String name : List.of(
                "DATASOURCES_DEFAULT_URL",
                "DATASOURCES_DEFAULT_USERNAME",
                "DATASOURCES_DEFAULT_PASSWORD",
                "DUET_REDIS_URI",
                "DUET_MAIL_SMTP_HOST",
                "DUET_MAIL_SMTP_PORT",
                "DUET_OPS_TOKEN",
                "MICRONAUT_SERVER_PORT")) {
            builder.environment().remove(name);
        }
        builder.environment().putAll(environment);
        // To a file, not a pipe: the JDK may close a pipe under a reader once the process exits.
        Path log = Files.createTempFile("duet-launcher-", ".log");
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
            try (var reader = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
                while (true) {
                    String line = reader.readLine();
                    if (line != null) {
                        lines.add(line);
                    } else if (process.isAlive()) {
                        Thread.sleep(50);
                    } else {
                        String rest;
                        while ((rest = reader.readLine()) != null) {
                            lines.add(rest);
                        }
                        return;
                    }
                }
            } catch (IOException | InterruptedException e) {
                lines.add("(could not read the launcher output: " + e + ")");
            }
        });
        return new Launched(process, lines, drained);
    }

    /** The JSON view of {@code /dev/mail} (what scripts read) once it holds a mail to {@code to}. */
    private String awaitMailTo(int port, String to) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String body = "";
        while (System.nanoTime() < deadline) {
            var response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dev/mail"))
                            .header("Accept", "application/json")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(
                    response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                    response.headers().toString());
            body = response.body();
            if (body.contains(to)) {
                assertTrue(body.contains("A mail from elsewhere"), body);
                assertTrue(body.indexOf(to) < body.indexOf("partner@example.test"), "newest first: " + body);
                return body;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no mail to " + to + " in /dev/mail: " + body);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void sendMail(int port, String to, String subject) throws Exception {
        Properties smtp = new Properties();
        smtp.put("mail.smtp.host", "127.0.0.1");
        smtp.put("mail.smtp.port", Integer.toString(port));
        MimeMessage message = new MimeMessage(Session.getInstance(smtp));
        message.setFrom(new InternetAddress("hello@duet.test"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("123456");
        Transport.send(message);
    }
}
