package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.Api;
import io.duet.api.testing.Smtp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The mail server away for a while, with production retry delays (1 s doubling): when it returns, the
 * waiting verification mails go within seconds, not when each job's backoff runs out, and the outage
 * spent none of their attempts.
 */
@MicronautTest(transactional = false)
@Property(name = "duet.queues.defaults.initial-backoff", value = "1s")
@Property(name = "duet.queues.defaults.max-backoff", value = "5m")
@Property(name = "duet.queues.defaults.dependency-probe", value = "1s")
class SmtpReturnTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry meters;

    @Test
    void givenSmtpDownForTenSeconds_whenItReturns_thenTheBacklogIsMailedWithinSecondsWithoutSpendingAttempts()
            throws Exception {
        Api api = new Api(server.getPort(), json);
        String prefix = "back-" + UUID.randomUUID().toString().substring(0, 8);
        double failedBefore =
                meters.counter("duet.queue.jobs.failed", "queue", "email").count();
        MAIL.stop();
        long returned;
        try {
            for (int i = 0; i < 30; i++) {
                assertEquals(
                        202,
                        api.post("/v1/accounts", AccountFlowTest.signUp(prefix + "-" + i + "@example.com"))
                                .status());
            }
            Thread.sleep(10_000);
        } finally {
            MAIL.start();
            returned = System.nanoTime();
        }

        while (mailsTo(prefix) < 30 && System.nanoTime() - returned < 30_000_000_000L) {
            Thread.sleep(50);
        }
        double drainSeconds = (System.nanoTime() - returned) / 1e9;

        assertEquals(30, mailsTo(prefix));
        assertTrue(drainSeconds < 5, "drained in " + drainSeconds + " s after SMTP returned");
        assertEquals(
                failedBefore,
                meters.counter("duet.queue.jobs.failed", "queue", "email").count(),
                "attempts spent on the outage");
    }

    private static long mailsTo(String prefix) throws Exception {
        long count = 0;
        for (MimeMessage message : MAIL.getReceivedMessages()) {
            if (message.getAllRecipients()[0].toString().startsWith(prefix)) {
                count++;
            }
        }
        return count;
    }
}
