package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.api.testing.RefusingSmtpServer;
import io.duet.api.testing.TestDb;
import io.micronaut.core.type.Argument;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A mail server that refuses the address for good: the job is dead-lettered at once and the address marked. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedAddressTest implements TestPropertyProvider {
    private RefusingSmtpServer smtp;

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Override
    public Map<String, String> getProperties() {
        try {
            smtp = new RefusingSmtpServer();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of("duet.mail.smtp.port", Integer.toString(smtp.port()));
    }

    @AfterAll
    void stop() throws Exception {
        smtp.close();
    }

    @Test
    void givenAddressRefusedWith550_whenVerificationSent_thenDeadLetteredWithReasonAndAddressUndeliverable()
            throws Exception {
        String email = AccountFlowTest.fresh();
        Api api = new Api(server.getPort(), json);

        assertEquals(
                202, api.post("/v1/accounts", AccountFlowTest.signUp(email)).status());

        Await.until(
                Duration.ofSeconds(15),
                () -> TestDb.count(
                        "SELECT count(*) FROM account WHERE email_normalized = ? AND email_undeliverable", email),
                n -> n == 1);
        var dead = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + server.getPort() + "/ops/queues/email/dead?limit=1000"))
                                .header("Authorization", "Bearer test-ops-token")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, dead.statusCode(), dead.body());
        List<Map<String, Object>> letters =
                json.readValue(dead.body(), Argument.listOf(Argument.mapOf(String.class, Object.class)));
        assertTrue(
                letters.stream()
                        .anyMatch(letter -> String.valueOf(letter.get("error")).contains("550")
                                && ((Number) letter.get("attempts")).intValue() == 1),
                dead.body());
    }
}
