package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.base.GreenMailOperations;
import com.icegreen.greenmail.util.GreenMail;
import io.duet.api.testing.Api;
import io.duet.api.testing.Smtp;
import io.duet.api.testing.TestDb;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The account journey against a real SMTP server (GreenMail), PostgreSQL and Redis. */
@MicronautTest(transactional = false)
class AccountFlowTest {
    /**
     * Started once for the class and all its nested classes (a GreenMail extension would start again for
     * each nested class, on the same port).
     */
    static GreenMail MAIL;

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    private Api api;

    @BeforeAll
    static void startMail() {
        MAIL = Smtp.start();
    }

    @AfterAll
    static void stopMail() {
        MAIL.stop();
    }

    @BeforeEach
    void client() {
        api = new Api(server.getPort(), json);
    }

    /** Signing up: tokens after the code, one account per address, the mail in the phone's language. */
    @Nested
    class SignUp {
        @Test
        void givenNewAddress_whenSignedUpAndCodeEntered_thenTokensAndMeWork() throws Exception {
            String email = fresh();

            var accepted = api.post("/v1/accounts", signUp(email));
            assertEquals(202, accepted.status());
            assertEquals("verification_sent", accepted.json().get("status"));

            MimeMessage mail =
                    Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst();
            assertNotNull(mail.getHeader("Message-ID"));
            assertNotNull(mail.getSentDate());
            assertTrue(mail.getContentType().startsWith("multipart/alternative"));
            var verified = api.post("/v1/accounts/verify", Map.of("email", email, "code", Mailbox.code(mail)));

            assertEquals(200, verified.status(), verified.body());
            String access = (String) verified.json().get("accessToken");
            assertNotNull(verified.json().get("refreshToken"));
            var me = api.get("/v1/me", access);
            assertEquals(200, me.status(), me.body());
            assertEquals(email, me.json().get("email"));
            assertEquals(true, me.json().get("verified"));
        }

        @Test
        void givenTakenAddress_whenSignedUpAgain_thenSameAnswerOwnerNoticedStillOneAccount() throws Exception {
            String email = fresh();
            String access = signUpAndVerify(email);
            assertNotNull(access);

            var second = api.post(
                    "/v1/accounts",
                    Map.of(
                            "email",
                            "  " + email.toUpperCase() + " ",
                            "password",
                            "another-Secret-77",
                            "displayName",
                            "Intruder"));

            assertEquals(202, second.status());
            assertEquals("{\"status\":\"verification_sent\"}", second.body());
            List<MimeMessage> mails = Mailbox.await(MAIL, email, 2, Duration.ofSeconds(15));
            assertTrue(
                    mails.get(1).getSubject().contains("tried to create"),
                    mails.get(1).getSubject());
            assertEquals(1, TestDb.count("SELECT count(*) FROM account WHERE email_normalized = ?", email));
        }

        @Test
        void givenGermanPhone_whenSignedUp_thenEmailInGerman() throws Exception {
            String email = fresh();

            var accepted = api.postRaw("/v1/accounts", json.writeValueAsString(signUp(email)), "application/json");
            assertEquals(202, accepted.status());
            HttpClient http = HttpClient.newHttpClient();
            String other = fresh();
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/v1/accounts"))
                            .header("Content-Type", "application/json")
                            .header("Accept-Language", "de-DE,de;q=0.9")
                            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(signUp(other))))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());

            assertTrue(Mailbox.await(MAIL, other, 1, Duration.ofSeconds(15))
                    .getFirst()
                    .getSubject()
                    .contains("Duet-Code"));
            assertTrue(Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15))
                    .getFirst()
                    .getSubject()
                    .contains("Duet code"));
        }
    }

    /** The verification code and link: resends, guesses, a link that a mail scanner may open. */
    @Nested
    class Verification {
        @Test
        void givenValidCode_whenResent_thenSameCodeRepeatedNotASecondOne() throws Exception {
            String email = fresh();
            api.post("/v1/accounts", signUp(email));
            String first = Mailbox.code(
                    Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst());
            TestDb.execute("UPDATE email_verification SET last_email_at = now() - interval '2 minutes' "
                    + "WHERE account_id = (SELECT id FROM account WHERE email_normalized = '" + email + "')");

            assertEquals(
                    202,
                    api.post("/v1/accounts/verification", Map.of("email", email))
                            .status());

            String second = Mailbox.code(
                    Mailbox.await(MAIL, email, 2, Duration.ofSeconds(15)).get(1));
            assertEquals(first, second);
        }

        @Test
        void givenResendWithinAMinute_whenAsked_thenNoSecondEmail() throws Exception {
            String email = fresh();
            api.post("/v1/accounts", signUp(email));
            Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15));

            assertEquals(
                    202,
                    api.post("/v1/accounts/verification", Map.of("email", email))
                            .status());
            Thread.sleep(1_500);

            assertEquals(1, Mailbox.to(MAIL, email).size());
        }

        @Test
        void givenWrongCodes_whenFiveTried_thenEvenTheRightCodeFails() throws Exception {
            String email = fresh();
            api.post("/v1/accounts", signUp(email));
            String code = Mailbox.code(
                    Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst());
            String wrong = code.equals("000000") ? "111111" : "000000";

            for (int i = 0; i < 5; i++) {
                var failed = api.post("/v1/accounts/verify", Map.of("email", email, "code", wrong));
                assertEquals(400, failed.status());
                assertEquals("verification-failed", failed.json().get("code"));
            }

            assertEquals(
                    400,
                    api.post("/v1/accounts/verify", Map.of("email", email, "code", code))
                            .status());
        }

        @Test
        void givenEmailLink_whenOpened_thenNotConsumedUntilButtonPressed() throws Exception {
            String email = fresh();
            api.post("/v1/accounts", signUp(email));
            String link = Mailbox.link(
                    Mailbox.await(MAIL, email, 1, Duration.ofSeconds(15)).getFirst());
            String token = link.substring(link.indexOf("token=") + 6);
            HttpClient http = HttpClient.newHttpClient();

            for (int i = 0; i < 2; i++) {
                var page = http.send(
                        HttpRequest.newBuilder(URI.create(
                                        link.replace("http://localhost:8080", "http://127.0.0.1:" + server.getPort())))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, page.statusCode());
                assertTrue(page.body().contains("Confirm my address"), page.body());
            }
            assertEquals(
                    0,
                    TestDb.count(
                            "SELECT count(*) FROM account WHERE email_normalized = ? AND verified_at IS NOT NULL",
                            email));

            var confirmed =
                    api.postRaw("/v1/accounts/verify/link", "token=" + token, "application/x-www-form-urlencoded");

            assertEquals(200, confirmed.status());
            assertTrue(confirmed.body().contains("duet://verified"), confirmed.body());
            assertEquals(
                    1,
                    TestDb.count(
                            "SELECT count(*) FROM account WHERE email_normalized = ? AND verified_at IS NOT NULL",
                            email));
        }
    }

    /** Signing in and out, refresh-token rotation, bad tokens. */
    @Nested
    class Sessions {
        @Test
        void givenVerifiedAccount_whenSignedInWithWrongPasswordOrUnknownAddress_thenSameUnauthorized()
                throws Exception {
            String email = fresh();
            signUpAndVerify(email);

            var wrong = api.post("/v1/sessions", Map.of("email", email, "password", "not-the-password-1"));
            var unknown = api.post("/v1/sessions", Map.of("email", fresh(), "password", "not-the-password-1"));

            assertEquals(401, wrong.status());
            assertEquals(401, unknown.status());
            assertEquals(strip(wrong.json()), strip(unknown.json()));
            assertEquals(
                    200,
                    api.post("/v1/sessions", Map.of("email", email, "password", PASSWORD))
                            .status());
        }

        @Test
        void givenRefreshToken_whenRotated_thenOldOneReusedRevokesTheWholeSession() throws Exception {
            String email = fresh();
            signUpAndVerify(email);
            var session = api.post("/v1/sessions", Map.of("email", email, "password", PASSWORD));
            String first = (String) session.json().get("refreshToken");

            var rotated = api.post("/v1/sessions/refresh", Map.of("refreshToken", first));
            assertEquals(200, rotated.status(), rotated.body());
            String second = (String) rotated.json().get("refreshToken");
            assertNotEquals(first, second);

            var reused = api.post("/v1/sessions/refresh", Map.of("refreshToken", first));
            assertEquals(401, reused.status());
            assertEquals("application/problem+json", reused.contentType());

            assertEquals(
                    401,
                    api.post("/v1/sessions/refresh", Map.of("refreshToken", second))
                            .status(),
                    "the successor dies with its family");
        }

        @Test
        void givenSignedOut_whenRefreshTried_thenUnauthorized() throws Exception {
            String email = fresh();
            signUpAndVerify(email);
            var session = api.post("/v1/sessions", Map.of("email", email, "password", PASSWORD));

            assertEquals(
                    204,
                    api.delete("/v1/sessions/current", (String) session.json().get("accessToken"))
                            .status());

            assertEquals(
                    401,
                    api.post(
                                    "/v1/sessions/refresh",
                                    Map.of("refreshToken", session.json().get("refreshToken")))
                            .status());
        }

        @Test
        void givenBadTokens_whenMeRequested_thenUnauthorizedProblem() throws Exception {
            String expired = io.duet.api.testing.Jwts.hs256(
                    "test-secret-of-duet-0123456789-0123456789-abcdef", UUID.randomUUID(), -60);
            String wrongKey = io.duet.api.testing.Jwts.hs256(
                    "another-secret-that-is-long-enough-0123456789", UUID.randomUUID(), 600);

            for (String token : List.of("not.a.jwt", expired, wrongKey)) {
                var answer = api.get("/v1/me", token);
                assertEquals(401, answer.status(), token);
                assertEquals("application/problem+json", answer.contentType(), answer.body());
            }
            var none = api.get("/v1/me", null);
            assertEquals(401, none.status());
            assertEquals("application/problem+json", none.contentType());
        }
    }

    /** The account's own data: name and language, deletion and its purge. */
    @Nested
    class Profile {
        @Test
        void givenSignedIn_whenNameAndLanguageChanged_thenMeShowsThem() throws Exception {
            String access = signUpAndVerify(fresh());

            var changed = api.patch("/v1/me", Map.of("displayName", "  Grace  ", "locale", "de"), access);

            assertEquals(200, changed.status(), changed.body());
            assertEquals("Grace", changed.json().get("displayName"));
            assertEquals("de", api.get("/v1/me", access).json().get("locale"));
            assertEquals(
                    400,
                    api.patch("/v1/me", Map.of("locale", "klingon"), access).status());
        }

        @Test
        void givenAccount_whenDeleted_thenSessionsEndAndPurgeRemovesEveryRow() throws Exception {
            String email = fresh();
            String access = signUpAndVerify(email);
            UUID id = UUID.fromString((String) api.get("/v1/me", access).json().get("id"));
            var session = api.post("/v1/sessions", Map.of("email", email, "password", PASSWORD));

            assertEquals(202, api.delete("/v1/me", access).status());

            assertEquals(
                    401,
                    api.post(
                                    "/v1/sessions/refresh",
                                    Map.of("refreshToken", session.json().get("refreshToken")))
                            .status());
            io.duet.api.testing.Await.until(
                    Duration.ofSeconds(15),
                    () -> TestDb.count("SELECT count(*) FROM account WHERE id = ?", id),
                    n -> n == 0);
            assertEquals(0, TestDb.count("SELECT count(*) FROM email_verification WHERE account_id = ?", id));
            assertEquals(0, TestDb.count("SELECT count(*) FROM refresh_token WHERE account_id = ?", id));
        }
    }

    static final String PASSWORD = "correct-Horse-battery-9";

    private String signUpAndVerify(String email) throws Exception {
        return (String) signUpAndVerify(api, MAIL, email).json().get("accessToken");
    }

    /** Signs up, reads the code from the mailbox, verifies; returns the verification answer (tokens). */
    static Api.Answer signUpAndVerify(Api api, GreenMailOperations mail, String email) throws Exception {
        api.post("/v1/accounts", signUp(email));
        String code = Mailbox.code(
                Mailbox.await(mail, email, 1, Duration.ofSeconds(15)).getFirst());
        var verified = api.post("/v1/accounts/verify", Map.of("email", email, "code", code));
        assertEquals(200, verified.status(), verified.body());
        return verified;
    }

    static Map<String, Object> signUp(String email) {
        return Map.of("email", email, "password", PASSWORD, "displayName", "Ada");
    }

    static String fresh() {
        return "user-" + UUID.randomUUID().toString().substring(0, 12) + "@example.com";
    }

    private static Map<String, Object> strip(Map<String, Object> problem) {
        var copy = new java.util.HashMap<>(problem);
        copy.remove("requestId");
        assertFalse(copy.isEmpty());
        return copy;
    }
}
