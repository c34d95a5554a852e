package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.api.testing.Smtp;
import io.duet.api.testing.TestDb;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a promotion does to signup: many at once, the same address at once, and SMTP falling over. */
@MicronautTest(transactional = false)
@Property(name = "duet.queues.defaults.max-attempts", value = "100")
@Property(name = "duet.queues.defaults.concurrency", value = "8")
@Property(name = "duet.rate-limits.signup-per-address", value = "1000")
class SignUpSpikeTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Test
    void givenNewAddress_when100IdenticalSignupsRace_thenOneAccountAndOneEmail() throws Exception {
        Api api = new Api(server.getPort(), json);
        String email = AccountFlowTest.fresh();

        List<Integer> statuses = all(
                100,
                32,
                i -> api.post("/v1/accounts", AccountFlowTest.signUp(email)).status());

        assertEquals(100, statuses.stream().filter(status -> status == 202).count(), statuses.toString());
        assertEquals(1, TestDb.count("SELECT count(*) FROM account WHERE email_normalized = ?", email));
        Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15));
        Thread.sleep(1_500);
        assertEquals(1, Mailbox.to(MAIL, email).size());
    }

    @Test
    void givenSmtpDown_when200SignupsArrive_thenNoneFailsAndEveryEmailArrivesOnceAfterItReturns() throws Exception {
        Api api = new Api(server.getPort(), json);
        String prefix = "spike-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        MAIL.stop();
        try {
            List<Integer> statuses = all(
                    200,
                    16,
                    i -> api.post("/v1/accounts", AccountFlowTest.signUp(prefix + "-" + i + "@example.com"))
                            .status());
            assertEquals(200, statuses.stream().filter(status -> status == 202).count(), statuses.toString());
            Thread.sleep(2_000);
        } finally {
            MAIL.start();
        }

        Await.until(Duration.ofSeconds(90), () -> countTo(prefix), n -> n >= 200);
        Thread.sleep(1_500);
        Map<String, Integer> perAddress = new HashMap<>();
        for (MimeMessage message : MAIL.getReceivedMessages()) {
            String to = message.getAllRecipients()[0].toString();
            if (to.startsWith(prefix)) {
                perAddress.merge(to, 1, Integer::sum);
            }
        }
        assertEquals(200, perAddress.size());
        assertEquals(
                List.of(1), perAddress.values().stream().distinct().toList(), "each address got exactly one email");
    }

    private static long countTo(String prefix) throws Exception {
        long count = 0;
        for (MimeMessage message : MAIL.getReceivedMessages()) {
            if (message.getAllRecipients()[0].toString().startsWith(prefix)) {
                count++;
            }
        }
        return count;
    }

    interface Call {
        int run(int i) throws Exception;
    }

    private static List<Integer> all(int count, int threads, Call call) throws Exception {
        List<Future<Integer>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> call.run(n)));
            }
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> future : futures) {
            statuses.add(future.get());
        }
        return statuses;
    }
}
