package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import io.duet.api.testing.Api;
import io.duet.api.testing.Jwts;
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
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rotating the JWT key, upgrading old password hashes on login, and the signup funnel on /metrics. */
@MicronautTest(transactional = false)
@Property(name = "duet.jwt.previous-secret", value = KeyRotationTest.PREVIOUS)
class KeyRotationTest {
    static final String PREVIOUS = "the-key-before-the-rotation-0123456789-abcdef";

    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Test
    void givenTokenSignedWithThePreviousKey_whenUsed_thenStillAcceptedButNewTokensUseTheCurrentKey() throws Exception {
        Api api = new Api(server.getPort(), json);
        var verified = AccountFlowTest.signUpAndVerify(api, MAIL, AccountFlowTest.fresh());
        UUID id = UUID.fromString((String) ((Map<?, ?>) verified.json().get("account")).get("id"));

        var old = api.get("/v1/me", Jwts.hs256(PREVIOUS, id, 600));

        assertEquals(200, old.status(), old.body());
        String current = (String) verified.json().get("accessToken");
        assertNotEquals(Jwts.hs256(PREVIOUS, id, 600).split("\\.")[2], current.split("\\.")[2]);
        assertEquals(200, api.get("/v1/me", current).status());
    }

    @Test
    void givenHashMadeWithOlderCost_whenOwnerSignsIn_thenRehashedWithCurrentCost() throws Exception {
        Api api = new Api(server.getPort(), json);
        String email = AccountFlowTest.fresh();
        AccountFlowTest.signUpAndVerify(api, MAIL, email);
        String older = Argon2Function.getInstance(256, 1, 1, 32, Argon2.ID)
                .hash(AccountFlowTest.PASSWORD)
                .getResult();
        TestDb.execute("UPDATE account SET password_hash = '" + older + "' WHERE email_normalized = '" + email + "'");

        assertEquals(
                200,
                api.post("/v1/sessions", Map.of("email", email, "password", AccountFlowTest.PASSWORD))
                        .status());

        String now = passwordHash(email);
        assertNotEquals(older, now);
        assertTrue(now.contains("m=1024,t=1,p=1"), now);
        assertEquals(
                200,
                api.post("/v1/sessions", Map.of("email", email, "password", AccountFlowTest.PASSWORD))
                        .status());
    }

    @Test
    void givenSignupsAndVerifications_whenMetricsScraped_thenTheFunnelIsThere() throws Exception {
        Api api = new Api(server.getPort(), json);
        AccountFlowTest.signUpAndVerify(api, MAIL, AccountFlowTest.fresh());

        String metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();

        for (String series : new String[] {
            "duet_funnel_signups_accepted_total",
            "duet_funnel_emails_queued_total",
            "duet_funnel_emails_sent_total",
            "duet_funnel_accounts_verified_total",
            "duet_funnel_signup_to_sent_seconds_bucket",
            "duet_funnel_sent_to_verified_seconds_bucket"
        }) {
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith(series) && !line.endsWith(" 0.0")), series);
        }
    }

    private static String passwordHash(String email) throws Exception {
        try (var connection = TestDb.open();
                var statement =
                        connection.prepareStatement("SELECT password_hash FROM account WHERE email_normalized = ?")) {
            statement.setString(1, email);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }
}
