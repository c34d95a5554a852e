package io.duet.bench;

import io.duet.api.mail.MailConfig;
import io.duet.api.mail.Mailer;
import io.duet.api.testing.CountingSmtpServer;
import io.duet.api.testing.FreePort;
import io.duet.api.testing.ProcStat;
import io.duet.api.testing.TestDb;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./duet bench email-drain}: verification emails end to end, from the signup's commit through the
 * outbox, the relay, the queue and the worker to the SMTP sink, against the {@link Mailer} alone sending
 * the same number of mails to the same sink with the same connections, in one run.
 *
 * <p>For each level (handler slots = SMTP connections, as ops would set both), the API runs in its own JVM
 * with the email queue paused, takes the signups (argon2id at its minimum cost here: the drain, not the
 * hash, is measured; {@code ./duet bench signup} measures the hash), and once every job waits in Redis the
 * queue is resumed and timed until the sink holds every mail. The API's CPU over the drain is read from
 * /proc. Medians of the rounds.
 */
public final class EmailDrainBench {
    private static final int SIGNUP_CLIENTS = 32;

    private EmailDrainBench() {}

    public static void main(String[] args) throws Exception {
        int emails = Integer.getInteger("bench.emails", 10_000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        int[] levels = Arrays.stream(System.getProperty("bench.levels", "4,16").split(","))
                .mapToInt(level -> Integer.parseInt(level.trim()))
                .toArray();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(
                "machine: %d cores, %.1f GiB memory, JDK %s; API in its own JVM, PostgreSQL and Redis local,"
                        + " a counting SMTP sink in this JVM%n",
                Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() / 1073741824.0, Runtime.version());
        System.out.printf("%d emails per round, %d rounds, levels %s%n", emails, rounds, Arrays.toString(levels));

        List<String> results = new ArrayList<>();
        System.out.printf(
                "%n%-8s %14s %14s %10s %18s %20s %9s%n",
                "slots", "mailer mail/s", "drain mail/s", "ratio", "API CPU ms/mail", "machine CPU ms/mail", "busy");
        for (int slots : levels) {
            double[] mailer = new double[rounds];
            double[] drain = new double[rounds];
            double[] cpu = new double[rounds];
            double[] machine = new double[rounds];
            double[] busy = new double[rounds];
            try (CountingSmtpServer sink = new CountingSmtpServer()) {
                for (int round = 0; round < rounds; round++) {
                    mailer[round] = mailerAlone(sink, slots, emails);
                    Drain measured = drain(sink, slots, emails);
                    drain[round] = measured.rate();
                    cpu[round] = measured.cpuMsPerMail();
                    machine[round] = measured.machineMsPerMail();
                    busy[round] = measured.machineBusy();
                }
            }
            double mailerRate = median(mailer);
            double drainRate = median(drain);
            double cpuMs = median(cpu);
            double machineMs = median(machine);
            System.out.printf(
                    "%-8d %14.0f %14.0f %10.2f %18.2f %20.2f %8.0f%%   (rounds: drain %s)%n",
                    slots,
                    mailerRate,
                    drainRate,
                    drainRate / mailerRate,
                    cpuMs,
                    machineMs,
                    median(busy) * 100,
                    Arrays.toString(round(drain)));
            results.add(String.format(
                    "drain_%d=%.0f mailer_%d=%.0f ratio_%d=%.2f cpu_ms_per_mail_%d=%.2f machine_cpu_ms_per_mail_%d=%.2f",
                    slots,
                    drainRate,
                    slots,
                    mailerRate,
                    slots,
                    drainRate / mailerRate,
                    slots,
                    cpuMs,
                    slots,
                    machineMs));
        }
        System.out.println("(drain: signup commit -> outbox -> relay -> queue -> worker -> SMTP, timed from the resume;"
                + " mailer: Mailer.send from as many threads as slots; target >= 1,000 mails/s per node end to end)");
        System.out.println("RESULT " + String.join(" ", results));
    }

    /**
     * @param machineMsPerMail CPU of the whole machine (API, PostgreSQL, Redis, the sink) per mail
     * @param machineBusy share of the machine's CPU time that was busy over the drain
     */
    private record Drain(double rate, double cpuMsPerMail, double machineMsPerMail, double machineBusy) {}

    /** The floor: the Mailer alone, from {@code slots} threads over {@code slots} pooled connections. */
    private static double mailerAlone(CountingSmtpServer sink, int slots, int emails) throws Exception {
        MailConfig config = new MailConfig(
                new MailConfig.Smtp(
                        "127.0.0.1",
                        sink.port(),
                        "",
                        "",
                        false,
                        false,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10),
                        ""),
                "Duet <hello@duet.local>",
                "support@duet.local",
                slots);
        Mailer mailer = new Mailer(config);
        AtomicInteger next = new AtomicInteger();
        int before = sink.received();
        long started = System.nanoTime();
        try (ExecutorService threads = Executors.newFixedThreadPool(slots)) {
            for (int t = 0; t < slots; t++) {
                threads.execute(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < emails) {
                        try {
                            mailer.send(verificationSized(mailer, i));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        mailer.close(); // its idle connections' write-timeout threads would keep the JVM from exiting
        if (sink.received() - before != emails) {
            throw new IllegalStateException("the sink got " + (sink.received() - before) + " of " + emails);
        }
        return emails / seconds;
    }

    /** As the verification handler composes it: text and HTML alternatives, a code and a link. */
    private static MimeMessage verificationSized(Mailer mailer, int i) throws Exception {
        MimeMessage message = new MimeMessage(mailer.session());
        message.setFrom(new InternetAddress("hello@duet.local", "Duet"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("drain-" + i + "@example.com"));
        message.setSubject("Your Duet code: 123456", "UTF-8");
        message.setSentDate(new Date());
        String link = "http://localhost:8080/v1/accounts/verify?token=" + UUID.randomUUID();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Your code is 123456. Or open " + link + " within 30 minutes.", "UTF-8");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent(
                "<p>Your code is <b>123456</b>.</p><p><a href=\"" + link + "\">Confirm</a> within 30 minutes.</p>",
                "text/html; charset=UTF-8");
        MimeMultipart alternatives = new MimeMultipart("alternative");
        alternatives.addBodyPart(text);
        alternatives.addBodyPart(html);
        message.setContent(alternatives);
        return message;
    }

    /** One API JVM: signups with the email queue paused, then the drain timed from the resume. */
    private static Drain drain(CountingSmtpServer sink, int slots, int emails) throws Exception {
        int port = FreePort.get();
        String prefix = "bench-drain-" + UUID.randomUUID().toString().substring(0, 8);
        Process server = SignUpBench.startServer(
                port,
                sink.port(),
                // a queue of its own: nothing left in the shared Redis by other runs is drained with it
                "-Dduet.queues.key-prefix=" + prefix + ":q:",
                "-Dduet.queues.run=email",
                "-Dduet.mail.pool-size=" + slots,
                "-Dduet.accounts.argon2.memory-kib=64",
                "-Dduet.accounts.argon2.iterations=1");
        try {
            HttpClient http = HttpClient.newBuilder()
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            SignUpBench.awaitReady(http, port, server);
            put(http, port, "/ops/queues/email/concurrency", "{\"concurrency\":" + slots + "}");
            // A warm-up drain of half as many mails first, in the same JVM: a worker node that has run a while
            // is what a promotion meets, not one whose compilers are still at work.
            int warm = sink.received();
            fill(http, port, prefix + "-warm", emails / 2);
            SignUpBench.post(http, port, "/ops/queues/email/resume", "{}", "bench-ops");
            awaitMails(sink, warm + emails / 2);
            int total = sink.received() + emails;
            // Tables bloated by earlier runs would be measured too where the server runs without autovacuum.
            TestDb.vacuumWithoutAutovacuum("outbox_job", "processed_job", "account");
            fill(http, port, prefix, emails);
            int before = sink.received();
            double cpuBefore = ProcStat.cpuTicks(server.pid()) / 100.0;
            ProcStat.MachineTicks machineBefore = ProcStat.machineTicks();
            long started = System.nanoTime();
            // -Dbench.jfr=FILE: a JFR recording of the API over the drain alone (not the signups before it)
            String jfr = System.getProperty("bench.jfr");
            if (jfr != null) {
                jcmd(server.pid(), "JFR.start", "name=drain", "settings=profile", "filename=" + jfr);
            }
            SignUpBench.post(http, port, "/ops/queues/email/resume", "{}", "bench-ops");
            awaitMails(sink, total);
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpu = ProcStat.cpuTicks(server.pid()) / 100.0 - cpuBefore;
            ProcStat.MachineTicks machine = ProcStat.machineTicks().since(machineBefore);
            if (jfr != null) {
                jcmd(server.pid(), "JFR.stop", "name=drain");
                System.out.println("JFR recording of the drain: " + jfr);
            }
            int drained = total - before;
            return new Drain(
                    drained / seconds, cpu * 1000 / drained, machine.busy() * 10.0 / drained, machine.busyShare());
        } finally {
            server.destroy();
            server.waitFor();
            // The stopped node may not have reconciled its last outbox rows; left behind, they point at this run's
            // queue prefix, and another process's reconciler would relay them again to the shared email queue.
            TestDb.execute("DELETE FROM outbox_job o USING account a WHERE o.queue = 'email'"
                    + " AND a.id = (o.payload::json->>'accountId')::uuid AND a.email LIKE '" + prefix + "-%'");
        }
    }

    /**
     * Pauses the queue, signs {@code emails} people up and waits until the queue stops growing (the relay has
     * moved every committed job to Redis). Jobs a worker had read just before the pause took effect may still
     * be sent meanwhile: the drain counts only the mails that arrive after its resume.
     */
    private static void fill(HttpClient http, int port, String prefix, int emails) throws Exception {
        SignUpBench.post(http, port, "/ops/queues/email/pause", "{}", "bench-ops");
        signUp(http, port, prefix, emails);
        long last = -1;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(2_500); // longer than the node's refresh of its queue figures (1 s)
            long now = waiting(http, port);
            if (now == last) {
                return;
            }
            last = now;
        }
        throw new IllegalStateException("the email queue was still growing after 2 minutes");
    }

    private static void awaitMails(CountingSmtpServer sink, int total) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (sink.received() < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the sink got " + sink.received() + " of " + total + " mails in 5 minutes");
            }
            Thread.sleep(5);
        }
    }

    private static void jcmd(long pid, String... command) throws Exception {
        String jcmd = ProcessHandle.current()
                .info()
                .command()
                .map(java -> java.replaceFirst("java$", "jcmd"))
                .orElse("jcmd");
        List<String> line = new ArrayList<>(List.of(jcmd, Long.toString(pid)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", line) + ": " + output);
        }
    }

    private static void signUp(HttpClient http, int port, String prefix, int emails) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < SIGNUP_CLIENTS; c++) {
                clients.execute(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < emails) {
                        String body = "{\"email\":\"" + prefix + "-" + i
                                + "@example.com\",\"password\":\"correct-Horse-battery-9\",\"displayName\":\"Drain\"}";
                        try {
                            if (SignUpBench.post(http, port, "/v1/accounts", body, null) != 202) {
                                refused.incrementAndGet();
                            }
                        } catch (Exception e) {
                            refused.incrementAndGet();
                        }
                    }
                });
            }
        }
        if (refused.get() > 0) {
            throw new IllegalStateException(refused.get() + " of " + emails + " signups were not accepted");
        }
    }

    private static long waiting(HttpClient http, int port) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ops/queues/email"))
                        .header("Authorization", "Bearer bench-ops")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        var matcher = java.util.regex.Pattern.compile("\"waiting\":(\\d+)").matcher(response.body());
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    private static void put(HttpClient http, int port, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer bench-ops")
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("PUT " + path + ": " + response.statusCode() + " " + response.body());
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long[] round(double[] values) {
        return Arrays.stream(values).mapToLong(Math::round).toArray();
    }
}
