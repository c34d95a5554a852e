package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.Api;
import io.duet.api.testing.Smtp;
import io.duet.api.testing.TestDb;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rate limits and Idempotency-Key on the account endpoints, behind a trusted proxy (127.0.0.1). */
@MicronautTest(transactional = false)
@Property(name = "duet.rate-limits.trusted-proxies", value = "127.0.0.0/8")
@Property(name = "duet.rate-limits.signup-per-ip", value = "3")
@Property(name = "duet.rate-limits.sign-in-per-ip", value = "1000")
@Property(name = "duet.rate-limits.sign-in-failures", value = "3")
class AccountLimitsTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void givenOneClientAddress_whenOverTheSignupLimit_thenRateLimitedWithRetryAfter() throws Exception {
        String ip = randomIp();
        for (int i = 0; i < 3; i++) {
            assertEquals(202, signUp(ip, AccountFlowTest.fresh(), null, "Ada").statusCode());
        }

        HttpResponse<String> limited = signUp(ip, AccountFlowTest.fresh(), null, "Ada");

        assertEquals(429, limited.statusCode());
        assertEquals(
                "application/problem+json",
                limited.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(limited.body().contains("\"code\":\"rate-limited\""));
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(
                202,
                signUp(randomIp(), AccountFlowTest.fresh(), null, "Ada").statusCode(),
                "another client is not affected");
    }

    @Test
    void givenIdempotencyKey_whenSameSignupSentTwice_thenSameAnswerAndOneEffect() throws Exception {
        String email = AccountFlowTest.fresh();
        String key = UUID.randomUUID().toString();

        assertEquals(202, signUp(randomIp(), email, key, "Ada").statusCode());
        Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15));
        TestDb.execute("UPDATE email_verification SET last_email_at = now() - interval '1 hour' "
                + "WHERE account_id = (SELECT id FROM account WHERE email_normalized = '" + email + "')");
        HttpResponse<String> again = signUp(randomIp(), email, key, "Ada");

        assertEquals(202, again.statusCode());
        assertEquals("{\"status\":\"verification_sent\"}", again.body());
        Thread.sleep(1_500);
        assertEquals(1, Mailbox.to(MAIL, email).size(), "the replay sent nothing");
        assertEquals(1, TestDb.count("SELECT count(*) FROM account WHERE email_normalized = ?", email));
    }

    @Test
    void givenIdempotencyKey_whenReusedWithAnotherBody_thenUnprocessable() throws Exception {
        String key = UUID.randomUUID().toString();
        assertEquals(
                202, signUp(randomIp(), AccountFlowTest.fresh(), key, "Ada").statusCode());

        HttpResponse<String> reused = signUp(randomIp(), AccountFlowTest.fresh(), key, "Grace");

        assertEquals(422, reused.statusCode());
        assertTrue(reused.body().contains("\"code\":\"idempotency-key-reused\""), reused.body());
    }

    @Test
    void givenRepeatedWrongPasswords_whenTheOwnerTriesLater_thenSlowedNotLockedOut() throws Exception {
        Api api = new Api(server.getPort(), json);
        String email = AccountFlowTest.fresh();
        assertEquals(202, signUp(randomIp(), email, null, "Ada").statusCode());
        String code = Mailbox.code(
                Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst());
        assertEquals(
                200,
                api.post("/v1/accounts/verify", Map.of("email", email, "code", code))
                        .status());

        for (int i = 0; i < 3; i++) {
            assertEquals(
                    401,
                    api.post("/v1/sessions", Map.of("email", email, "password", "wrong-guess-" + i))
                            .status());
        }
        assertEquals(
                401,
                api.post("/v1/sessions", Map.of("email", email, "password", "wrong-guess-x"))
                        .status(),
                "the first attempt after the threshold passes the gate");
        var slowed = api.post("/v1/sessions", Map.of("email", email, "password", AccountFlowTest.PASSWORD));
        assertEquals(429, slowed.status(), slowed.body());

        Thread.sleep(4_100);

        assertEquals(
                200,
                api.post("/v1/sessions", Map.of("email", email, "password", AccountFlowTest.PASSWORD))
                        .status(),
                "after the delay the owner gets in");
    }

    private HttpResponse<String> signUp(String ip, String email, String key, String name) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.getPort() + "/v1/accounts"))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", ip)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                        Map.of("email", email, "password", AccountFlowTest.PASSWORD, "displayName", name))));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String randomIp() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
    }
}
