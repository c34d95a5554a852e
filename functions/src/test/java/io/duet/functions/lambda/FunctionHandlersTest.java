package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.queue.QueueDrain;
import io.duet.api.testing.HttpApiEvents;
import io.duet.api.testing.Smtp;
import io.duet.api.testing.TestDb;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The functions called in-process the way Lambda calls them: API Gateway HTTP API (payload 2.0) event
 * JSON, turned into the event object by the Lambda runtime's own serializers, into the handler; the
 * answer read from the proxy response. Real PostgreSQL, Redis and SMTP (GreenMail) behind them; the
 * email worker function delivers the verification mail.
 */
class FunctionHandlersTest {
    static final String PASSWORD = "correct-Horse-battery-9";
    private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");

    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    static ApiHandler api;
    static SignUpHandler signUp;
    static EmailWorkerHandler email;
    static AccountPurgeWorkerHandler purge;
    static MediaResizeWorkerHandler media;

    @BeforeAll
    static void start() {
        api = new ApiHandler(TestFunctions.start(Map.of()));
        signUp = new SignUpHandler(TestFunctions.start(SignUpHandler.PROPERTIES));
        email = new EmailWorkerHandler(TestFunctions.start(Map.of()));
        purge = new AccountPurgeWorkerHandler(TestFunctions.start(Map.of()));
        media = new MediaResizeWorkerHandler(TestFunctions.start(Map.of()));
    }

    @AfterAll
    static void stop() {
        api.close();
        signUp.close();
        email.applicationContext().close();
        purge.applicationContext().close();
        media.applicationContext().close();
    }

    @Test
    void givenSignUpEvent_whenEmailWorkerRunsAndCodeIsVerified_thenTokensLoginAndMeWork() throws Exception {
        String address = fresh();

        var accepted = invoke(signUp, "POST", "/v1/accounts", Map.of(), signUpBody(address));
        assertEquals(202, accepted.getStatusCode(), accepted.getBody());
        assertEquals("{\"status\":\"verification_sent\"}", accepted.getBody());
        // Inline relay: the job left the outbox for Redis before the function answered.
        assertEquals(0, TestDb.count("SELECT count(*) FROM outbox_job WHERE relayed_seq IS NULL"));

        QueueDrain.Result drained = email.handleRequest(
                Map.of("source", "aws.events", "detail-type", "Scheduled Event"),
                TestLambdaContext.withTimeout(Duration.ofSeconds(30)));
        assertTrue(drained.finished() >= 1, drained.toString());
        assertEquals(0, drained.released());
        String code = code(mailTo(address));

        var verified = invoke(
                signUp,
                "POST",
                "/v1/accounts/verify",
                Map.of(),
                HttpApiEvents.body(Map.of("email", address, "code", code)));
        assertEquals(200, verified.getStatusCode(), verified.getBody());
        assertNotNull(HttpApiEvents.parse(verified.getBody()).get("refreshToken"));

        var login = invoke(
                api,
                "POST",
                "/v1/sessions",
                Map.of(),
                HttpApiEvents.body(Map.of("email", address, "password", PASSWORD)));
        assertEquals(200, login.getStatusCode(), login.getBody());
        String access = (String) HttpApiEvents.parse(login.getBody()).get("accessToken");

        var me = invoke(api, "GET", "/v1/me", Map.of("Authorization", "Bearer " + access), null);
        assertEquals(200, me.getStatusCode(), me.getBody());
        assertEquals(address, HttpApiEvents.parse(me.getBody()).get("email"));
    }

    @Test
    void givenPairedAccounts_whenMessageSentThroughTheApiFunction_thenPartnerReadsItAndRetryIsIdempotent()
            throws Exception {
        String ada = signUpAndVerify(fresh());
        String bob = signUpAndVerify(fresh());
        var invite = invoke(api, "POST", "/v1/couple/invites", bearer(ada), null);
        assertEquals(201, invite.getStatusCode(), invite.getBody());
        var joined = invoke(
                api,
                "POST",
                "/v1/couple/join",
                bearer(bob),
                HttpApiEvents.body(
                        Map.of("code", HttpApiEvents.parse(invite.getBody()).get("code"))));
        assertEquals(201, joined.getStatusCode(), joined.getBody());
        String message = HttpApiEvents.body(
                Map.of("clientId", UUID.randomUUID().toString(), "text", "dinner at 8? \uD83C\uDF5D"));

        var sent = invoke(api, "POST", "/v1/couple/messages", bearer(ada), message);
        var retried = invoke(api, "POST", "/v1/couple/messages", bearer(ada), message);

        assertEquals(201, sent.getStatusCode(), sent.getBody());
        Map<String, Object> first = HttpApiEvents.parse(sent.getBody());
        assertEquals(first.get("id"), HttpApiEvents.parse(retried.getBody()).get("id"));
        assertEquals(first.get("seq"), HttpApiEvents.parse(retried.getBody()).get("seq"));
        var read = invoke(api, "GET", "/v1/couple/messages?limit=10", bearer(bob), null);
        assertEquals(200, read.getStatusCode(), read.getBody());
        assertTrue(read.getBody().contains("dinner at 8?"), read.getBody());
        assertEquals(
                404,
                invoke(signUp, "POST", "/v1/couple/messages", bearer(ada), message)
                        .getStatusCode());
    }

    @Test
    void givenDeletedAccount_whenPurgeWorkerFunctionRuns_thenTheAccountIsGone() throws Exception {
        String address = fresh();
        String access = signUpAndVerify(address);
        assertEquals(1, TestDb.count("SELECT count(*) FROM account WHERE email_normalized = ?", address));

        assertEquals(202, invoke(api, "DELETE", "/v1/me", bearer(access), null).getStatusCode());
        QueueDrain.Result purged = purge.handleRequest(Map.of(), TestLambdaContext.withTimeout(Duration.ofSeconds(30)));

        assertTrue(purged.finished() >= 1, purged.toString());
        assertEquals(0, TestDb.count("SELECT count(*) FROM account WHERE email_normalized = ?", address));
    }

    @Test
    void givenPhotoUploadedAsBase64EventAndRetried_whenMediaWorkerFunctionRuns_thenOneItemWithItsVariantsReady()
            throws Exception {
        String access = signUpAndVerify(fresh());
        java.awt.image.BufferedImage image =
                new java.awt.image.BufferedImage(1200, 900, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D paint = image.createGraphics();
        paint.setPaint(new java.awt.GradientPaint(0, 0, java.awt.Color.ORANGE, 1200, 900, java.awt.Color.BLUE));
        paint.fillRect(0, 0, 1200, 900);
        paint.dispose();
        var jpeg = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "jpg", jpeg);
        Map<String, String> headers = new java.util.HashMap<>(bearer(access));
        headers.put("content-type", "image/jpeg");
        headers.put("Idempotency-Key", java.util.UUID.randomUUID().toString());

        var uploaded = api.handleRequest(
                LambdaEvents.event(
                        HttpApiEvents.binaryJson("POST", "/v1/media?kind=photo", headers, jpeg.toByteArray())),
                TestLambdaContext.withTimeout(Duration.ofSeconds(30)));
        var retried = api.handleRequest(
                LambdaEvents.event(
                        HttpApiEvents.binaryJson("POST", "/v1/media?kind=photo", headers, jpeg.toByteArray())),
                TestLambdaContext.withTimeout(Duration.ofSeconds(30)));
        assertEquals(202, uploaded.getStatusCode(), uploaded.getBody());
        String id = (String) HttpApiEvents.parse(uploaded.getBody()).get("id");
        // The retry of an answer the network lost (the body arrives whole in the event here): the same item.
        assertEquals(202, retried.getStatusCode(), retried.getBody());
        assertEquals(id, HttpApiEvents.parse(retried.getBody()).get("id"));
        assertEquals(
                "true",
                retried.getHeaders().get("Idempotent-Replayed"),
                retried.getHeaders().toString());
        QueueDrain.Result resized =
                media.handleRequest(Map.of(), TestLambdaContext.withTimeout(Duration.ofSeconds(60)));

        assertTrue(resized.finished() >= 1, resized.toString());
        var status = invoke(api, "GET", "/v1/media/" + id, bearer(access), null);
        assertEquals(200, status.getStatusCode(), status.getBody());
        assertEquals("ready", HttpApiEvents.parse(status.getBody()).get("status"), status.getBody());
    }

    @Test
    void givenSignUpFunction_whenAnotherPathIsCalled_thenNotFoundProblem() {
        var sessions = invoke(
                signUp,
                "POST",
                "/v1/sessions",
                Map.of(),
                HttpApiEvents.body(Map.of("email", fresh(), "password", PASSWORD)));
        var me = invoke(signUp, "GET", "/v1/me", Map.of(), null);
        var lookalike = invoke(signUp, "GET", "/v1/accountsx", Map.of(), null);

        for (var response : List.of(sessions, me, lookalike)) {
            assertEquals(404, response.getStatusCode(), response.getBody());
            assertEquals("application/problem+json", contentType(response));
            assertEquals("not-found", HttpApiEvents.parse(response.getBody()).get("code"));
        }
        assertEquals(401, invoke(api, "GET", "/v1/me", Map.of(), null).getStatusCode());
    }

    @Test
    void givenMalformedJson_whenSignUp_thenBadRequestProblemInProxyResponse() {
        var response = invoke(signUp, "POST", "/v1/accounts", Map.of(), "{\"email\": \"oops\", ");

        assertEquals(400, response.getStatusCode(), response.getBody());
        assertEquals("application/problem+json", contentType(response));
        Map<String, Object> problem = HttpApiEvents.parse(response.getBody());
        assertEquals("malformed-body", problem.get("code"));
        assertEquals(400, ((Number) problem.get("status")).intValue());
        assertFalse(response.getBody().contains("Exception"), response.getBody());
    }

    @Test
    void givenMalformedForm_whenTheVerificationLinkIsConfirmed_thenA4xxNotA500() {
        var response = invoke(
                api,
                "POST",
                "/v1/accounts/verify/link",
                Map.of("content-type", "application/x-www-form-urlencoded"),
                "token=%ZZ");

        assertTrue(
                response.getStatusCode() >= 400 && response.getStatusCode() < 500,
                response.getStatusCode() + " " + response.getBody());
    }

    @Test
    void givenInvalidAddress_whenSignUp_thenValidationProblemNamesTheField() {
        var response = invoke(
                api,
                "POST",
                "/v1/accounts",
                Map.of(),
                HttpApiEvents.body(Map.of("email", "not-an-address", "password", PASSWORD, "displayName", "Ada")));

        assertEquals(400, response.getStatusCode(), response.getBody());
        assertEquals("application/problem+json", contentType(response));
        assertTrue(response.getBody().contains("email"), response.getBody());
    }

    /** Signs up through the signup function, lets the email worker function send the code, verifies; returns the access token. */
    static String signUpAndVerify(String address) throws Exception {
        assertEquals(
                202,
                invoke(signUp, "POST", "/v1/accounts", Map.of(), signUpBody(address))
                        .getStatusCode());
        email.handleRequest(Map.of(), TestLambdaContext.withTimeout(Duration.ofSeconds(30)));
        var verified = invoke(
                signUp,
                "POST",
                "/v1/accounts/verify",
                Map.of(),
                HttpApiEvents.body(Map.of("email", address, "code", code(mailTo(address)))));
        assertEquals(200, verified.getStatusCode(), verified.getBody());
        return (String) HttpApiEvents.parse(verified.getBody()).get("accessToken");
    }

    static Map<String, String> bearer(String accessToken) {
        return Map.of("Authorization", "Bearer " + accessToken);
    }

    static APIGatewayV2HTTPResponse invoke(
            ApiHandler handler, String method, String path, Map<String, String> headers, String body) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        if (body != null) {
            all.putIfAbsent("Content-Type", "application/json");
        }
        String json = HttpApiEvents.json(method, path, all, body);
        APIGatewayV2HTTPResponse response =
                handler.handleRequest(LambdaEvents.event(json), TestLambdaContext.withTimeout(Duration.ofSeconds(30)));
        // What goes back to API Gateway must survive the runtime's serializer too.
        assertTrue(LambdaEvents.json(response).contains("\"statusCode\""));
        return response;
    }

    static String contentType(APIGatewayV2HTTPResponse response) {
        return response.getHeaders().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Content-Type"))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse("");
    }

    static String signUpBody(String address) {
        return HttpApiEvents.body(Map.of("email", address, "password", PASSWORD, "displayName", "Ada"));
    }

    static String fresh() {
        return "fn-" + UUID.randomUUID().toString().substring(0, 12) + "@example.com";
    }

    static MimeMessage mailTo(String address) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            for (MimeMessage message : MAIL.getReceivedMessages()) {
                if (Arrays.stream(message.getRecipients(Message.RecipientType.TO))
                        .anyMatch(recipient -> recipient.toString().equalsIgnoreCase(address))) {
                    return message;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no email to " + address);
    }

    static String code(MimeMessage message) throws Exception {
        MimeMultipart parts = (MimeMultipart) message.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            if (parts.getBodyPart(i).isMimeType("text/plain")) {
                Matcher matcher = CODE.matcher((String) parts.getBodyPart(i).getContent());
                if (matcher.find()) {
                    return matcher.group(1);
                }
            }
        }
        throw new AssertionError("no code in the email");
    }
}
