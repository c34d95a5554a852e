package io.duet.api.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.account.AccountFlowTestAccess;
import io.duet.api.testing.Api;
import io.duet.api.testing.Smtp;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An access token stops working the moment its session ends, not when it expires 15 minutes later:
 * sign-out, a reused refresh token, account deletion. Other sessions of the account keep working.
 */
@MicronautTest(transactional = false)
class RevocationTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

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
    void givenTwoSessions_whenOneSignsOut_thenItsAccessTokenIsRefusedAndTheOtherStillWorks() throws Exception {
        String email = signedUp();
        var first = signIn(email);
        var second = signIn(email);
        assertEquals(200, api.get("/v1/me", access(first)).status());

        assertEquals(204, api.delete("/v1/sessions/current", access(first)).status());

        var refused = api.get("/v1/me", access(first));
        assertEquals(401, refused.status());
        assertEquals("unauthorized", refused.json().get("code"));
        assertEquals(200, api.get("/v1/me", access(second)).status());
    }

    @Test
    void givenARefreshTokenReused_whenTheSessionsAccessTokensAreUsed_thenRefused() throws Exception {
        var session = signIn(signedUp());
        String firstRefresh = (String) session.json().get("refreshToken");
        var rotated = api.post("/v1/sessions/refresh", Map.of("refreshToken", firstRefresh));
        assertEquals(200, rotated.status());
        assertEquals(200, api.get("/v1/me", access(rotated)).status());

        assertEquals(
                401,
                api.post("/v1/sessions/refresh", Map.of("refreshToken", firstRefresh))
                        .status());

        assertEquals(401, api.get("/v1/me", access(session)).status());
        assertEquals(401, api.get("/v1/me", access(rotated)).status());
    }

    @Test
    void givenADeletedAccount_whenItsAccessTokenIsUsed_thenRefused() throws Exception {
        var session = signIn(signedUp());

        assertEquals(202, api.delete("/v1/me", access(session)).status());

        assertEquals(401, api.get("/v1/me", access(session)).status());
        assertEquals(401, api.get("/v1/couple", access(session)).status());
    }

    private String signedUp() throws Exception {
        String email = "rev-" + UUID.randomUUID().toString().substring(0, 12) + "@example.com";
        AccountFlowTestAccess.signUpAndVerify(api, MAIL, email);
        return email;
    }

    private Api.Answer signIn(String email) throws Exception {
        var session = api.post("/v1/sessions", Map.of("email", email, "password", AccountFlowTestAccess.PASSWORD));
        assertEquals(200, session.status(), session.body());
        return session;
    }

    private static String access(Api.Answer session) {
        return (String) session.json().get("accessToken");
    }
}
