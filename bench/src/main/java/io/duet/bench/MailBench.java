package io.duet.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.duet.api.mail.MailConfig;
import io.duet.api.mail.Mailer;
import io.duet.api.testing.FreePort;
import jakarta.mail.Message;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./duet bench email}: verification-sized emails over TLS (SMTPS) to an in-process SMTP server,
 * with Duet's pooled {@link Mailer} and, in the same run, with one connection (and TLS handshake) per
 * email ({@code Transport.send}). Reports emails/s, the senders' CPU per email (their threads only, the
 * server's excluded) and the ratio. Medians of several rounds.
 */
public final class MailBench {
    private static final int SENDERS = 4;

    private MailBench() {}

    public static void main(String[] args) throws Exception {
        int emails = Integer.getInteger("bench.emails", 2000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        int port = FreePort.get();
        // The sink logs and creates a mailbox per new recipient: keep its cost out of the figures.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("com.icegreen"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        GreenMail sink = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
        sink.start();
        try {
            MailConfig config = new MailConfig(
                    new MailConfig.Smtp(
                            "127.0.0.1", port, "", "", false, true, Duration.ofSeconds(5), Duration.ofSeconds(10), "*"),
                    "Duet <hello@duet.local>",
                    "support@duet.local",
                    SENDERS);
            Mailer pooled = new Mailer(config);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            System.out.printf(
                    "machine: %d cores, %.1f GiB memory, JDK %s; SMTPS sink (GreenMail) in this JVM, %d sender threads%n",
                    Runtime.getRuntime().availableProcessors(),
                    os.getTotalMemorySize() / 1073741824.0,
                    Runtime.version(),
                    SENDERS);
            run(pooled, emails / 4, false);
            run(pooled, emails / 10, true);
            double[][] pool = new double[rounds][];
            double[][] single = new double[rounds][];
            for (int r = 0; r < rounds; r++) {
                sink.reset();
                pool[r] = run(pooled, emails, false);
                single[r] = run(pooled, emails / 4, true);
            }
            double poolRate = median(pool, 0);
            double singleRate = median(single, 0);
            double poolCpu = median(pool, 1);
            double singleCpu = median(single, 1);
            System.out.println();
            System.out.printf(
                    "%-36s %12s %18s%n", "sender (median of " + rounds + ")", "emails/s", "sender CPU ms/email");
            System.out.printf("%-36s %12.0f %18.3f%n", "pooled connections (Mailer)", poolRate, poolCpu);
            System.out.printf("%-36s %12.0f %18.3f%n", "one connection per email", singleRate, singleCpu);
            System.out.printf(
                    "ratio pooled / per-email: %.2fx emails/s, %.2fx less CPU per email%n",
                    poolRate / singleRate, singleCpu / poolCpu);
            System.out.printf(
                    "RESULT pooled_emails_per_s=%.0f per_connection_emails_per_s=%.0f ratio=%.2f "
                            + "pooled_cpu_ms_per_email=%.3f per_connection_cpu_ms_per_email=%.3f%n",
                    poolRate, singleRate, poolRate / singleRate, poolCpu, singleCpu);
        } finally {
            sink.stop();
        }
        // The SMTP sink leaves non-daemon threads behind.
        System.exit(0);
    }

    /** Returns {emails/s, sender CPU ms per email}. */
    private static double[] run(Mailer mailer, int count, boolean connectionPerEmail) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        AtomicInteger next = new AtomicInteger();
        AtomicLong cpu = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(SENDERS)) {
            for (int s = 0; s < SENDERS; s++) {
                pool.execute(() -> {
                    long before = threads.getCurrentThreadCpuTime();
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        try {
                            MimeMessage message = message(mailer, "user-" + (i % 16) + "@example.com", i);
                            if (connectionPerEmail) {
                                message.saveChanges();
                                Transport transport = mailer.session().getTransport();
                                transport.connect();
                                try {
                                    transport.sendMessage(message, message.getAllRecipients());
                                } finally {
                                    transport.close();
                                }
                            } else {
                                mailer.send(message);
                            }
                        } catch (Exception e) {
                            if (failures.incrementAndGet() == 1) {
                                e.printStackTrace();
                            }
                        }
                    }
                    cpu.addAndGet(threads.getCurrentThreadCpuTime() - before);
                });
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " emails failed");
        }
        return new double[] {count / seconds, cpu.get() / 1e6 / count};
    }

    private static MimeMessage message(Mailer mailer, String to, int n) throws Exception {
        MimeMessage message = new MimeMessage(mailer.session());
        message.setFrom(new InternetAddress("hello@duet.local"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(String.format("%06d is your Duet code", n % 1_000_000), "UTF-8");
        message.setSentDate(new Date());
        MimeBodyPart text = new MimeBodyPart();
        text.setText(
                "Hi,\n\nyour Duet code is " + n + "\n\nhttp://localhost:8080/v1/accounts/verify?token=abc" + n + "\n",
                "UTF-8");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p>Hi,</p><p>your Duet code is <b>" + n + "</b></p>", "text/html; charset=UTF-8");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        return message;
    }

    private static double median(double[][] rows, int column) {
        double[] values =
                Arrays.stream(rows).mapToDouble(row -> row[column]).sorted().toArray();
        return values[values.length / 2];
    }
}
