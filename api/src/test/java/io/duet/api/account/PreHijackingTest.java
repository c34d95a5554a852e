package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.Api;
import io.duet.api.testing.Smtp;
import io.duet.api.testing.TestDb;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Account pre-hijacking: someone who knows that a person just signed up signs up again with the same
 * address and a password of their own. The mailbox's owner must end with their own password, whatever the
 * stranger sent, and a stranger's name must never reach the owner's inbox.
 */
@MicronautTest(transactional = false)
class PreHijackingTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    private static final String OWNER_PASSWORD = "owner-Chose-this-41";
    private static final String STRANGER_PASSWORD = "stranger-Chose-that-97";

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    private Api api;

    @BeforeEach
    void client() {
        api = new Api(server.getPort(), json);
    }

    @Test
    void givenPendingSignup_whenStrangerSignsUpAgainAndOwnerEntersTheirCode_thenOnlyTheOwnersPasswordWorks()
            throws Exception {
        String email = AccountFlowTest.fresh();
        assertEquals(
                202,
                api.post("/v1/accounts", signUp(email, OWNER_PASSWORD, "Ada")).status());
        String ownersCode = Mailbox.code(
                Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst());

        var stranger = api.post("/v1/accounts", signUp(email, STRANGER_PASSWORD, "Mallory"));
        assertEquals(202, stranger.status());
        assertEquals("{\"status\":\"verification_sent\"}", stranger.body());
        var verified = api.post("/v1/accounts/verify", Map.of("email", email, "code", ownersCode));

        assertEquals(200, verified.status(), verified.body());
        assertEquals("Ada", ((Map<?, ?>) verified.json().get("account")).get("displayName"));
        assertEquals(
                200,
                api.post("/v1/sessions", Map.of("email", email, "password", OWNER_PASSWORD))
                        .status());
        assertEquals(
                401,
                api.post("/v1/sessions", Map.of("email", email, "password", STRANGER_PASSWORD))
                        .status());
    }

    @Test
    void givenPendingSignup_whenSignedUpAgainWithinAMinute_thenStillOneMail() throws Exception {
        String email = AccountFlowTest.fresh();
        api.post("/v1/accounts", signUp(email, OWNER_PASSWORD, "Ada"));
        Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15));

        assertEquals(
                202,
                api.post("/v1/accounts", signUp(email, STRANGER_PASSWORD, "Mallory"))
                        .status());
        assertEquals(
                202,
                api.post("/v1/accounts/verification", Map.of("email", email)).status());
        Thread.sleep(1_500);

        assertEquals(1, Mailbox.to(MAIL, email).size());
        assertEquals(
                2,
                TestDb.count(
                        "SELECT count(*) FROM email_verification v JOIN account a ON a.id = v.account_id "
                                + "WHERE a.email_normalized = ? AND v.consumed_at IS NULL",
                        email));
    }

    @Test
    void givenStrangersAttemptMailedLater_whenOwnerUsesTheirFirstLink_thenOwnersPasswordAndTheStrangersCodeIsDead()
            throws Exception {
        String email = AccountFlowTest.fresh();
        api.post("/v1/accounts", signUp(email, OWNER_PASSWORD, "Ada"));
        String ownersLink = Mailbox.link(
                Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst());
        TestDb.execute("UPDATE email_verification SET last_email_at = now() - interval '2 minutes' "
                + "WHERE account_id = (SELECT id FROM account WHERE email_normalized = '" + email + "')");
        api.post("/v1/accounts", signUp(email, STRANGER_PASSWORD, "Mallory"));
        MimeMessage strangersMail =
                Mailbox.await(MAIL, email, 2, Duration.ofSeconds(15)).get(1);
        String strangersCode = Mailbox.code(strangersMail);
        assertFalse(Mailbox.text(strangersMail).contains("Mallory"), "a stranger's name reached the owner's inbox");

        var confirmed = api.postRaw(
                "/v1/accounts/verify/link",
                "token=" + ownersLink.substring(ownersLink.indexOf("token=") + 6),
                "application/x-www-form-urlencoded");

        assertEquals(200, confirmed.status());
        assertEquals(
                200,
                api.post("/v1/sessions", Map.of("email", email, "password", OWNER_PASSWORD))
                        .status());
        assertEquals(
                401,
                api.post("/v1/sessions", Map.of("email", email, "password", STRANGER_PASSWORD))
                        .status());
        assertEquals(
                400,
                api.post("/v1/accounts/verify", Map.of("email", email, "code", strangersCode))
                        .status());
    }

    @Test
    void givenTwoAttemptsBothMailed_whenTheSecondCodeIsEntered_thenTheSecondAttemptsPasswordWins() throws Exception {
        String email = AccountFlowTest.fresh();
        api.post("/v1/accounts", signUp(email, STRANGER_PASSWORD, "First"));
        String firstCode = Mailbox.code(
                Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst());
        TestDb.execute("UPDATE email_verification SET last_email_at = now() - interval '2 minutes' "
                + "WHERE account_id = (SELECT id FROM account WHERE email_normalized = '" + email + "')");
        api.post("/v1/accounts", signUp(email, OWNER_PASSWORD, "Second"));
        String secondCode = Mailbox.code(
                Mailbox.await(MAIL, email, 2, Duration.ofSeconds(15)).get(1));
        assertNotEquals(firstCode, secondCode);

        var verified = api.post("/v1/accounts/verify", Map.of("email", email, "code", secondCode));

        assertEquals(200, verified.status(), verified.body());
        assertEquals(
                200,
                api.post("/v1/sessions", Map.of("email", email, "password", OWNER_PASSWORD))
                        .status());
        assertEquals(
                401,
                api.post("/v1/sessions", Map.of("email", email, "password", STRANGER_PASSWORD))
                        .status());
    }

    @Test
    void givenFiveWrongCodes_whenTheEmailedLinkIsUsed_thenItStillConfirms() throws Exception {
        String email = AccountFlowTest.fresh();
        api.post("/v1/accounts", signUp(email, OWNER_PASSWORD, "Ada"));
        MimeMessage mail = Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst();
        String wrong = Mailbox.code(mail).equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 5; i++) {
            assertEquals(
                    400,
                    api.post("/v1/accounts/verify", Map.of("email", email, "code", wrong))
                            .status());
        }
        String link = Mailbox.link(mail);

        var confirmed = api.postRaw(
                "/v1/accounts/verify/link",
                "token=" + link.substring(link.indexOf("token=") + 6),
                "application/x-www-form-urlencoded");

        assertEquals(200, confirmed.status());
        assertTrue(confirmed.body().contains("duet://verified"), confirmed.body());
        assertEquals(
                1,
                TestDb.count(
                        "SELECT count(*) FROM account WHERE email_normalized = ? AND verified_at IS NOT NULL", email));
    }

    private static Map<String, Object> signUp(String email, String password, String name) {
        return Map.of("email", email, "password", password, "displayName", name);
    }
}
