package io.duet.api.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.TestDb;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad signup input gets its 4xx problem and writes nothing. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignUpInputTest {
    private static final String RUN = java.util.UUID.randomUUID().toString().substring(0, 8);

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    static Stream<Arguments> badSignups() {
        String ok = "\"password\":\"correct-Horse-battery-9\",\"displayName\":\"Ada\"";
        return Stream.of(
                Arguments.of(
                        "malformed JSON",
                        "{\"email\":\"bad-json@example.com\",",
                        400,
                        "malformed-body",
                        "bad-json@example.com"),
                Arguments.of(
                        "missing password",
                        "{\"email\":\"nopass@example.com\",\"displayName\":\"Ada\"}",
                        400,
                        "validation-failed",
                        "nopass@example.com"),
                Arguments.of("missing email", "{" + ok + "}", 400, "validation-failed", null),
                Arguments.of(
                        "wrong type",
                        "{\"email\":{\"address\":\"obj@example.com\"}," + ok + "}",
                        400,
                        "malformed-body",
                        "obj@example.com"),
                Arguments.of(
                        "password of 7",
                        "{\"email\":\"seven@example.com\",\"password\":\"abc1234\",\"displayName\":\"Ada\"}",
                        400,
                        "validation-failed",
                        "seven@example.com"),
                Arguments.of(
                        "password of 257",
                        "{\"email\":\"long@example.com\",\"password\":\"" + "x".repeat(257)
                                + "\",\"displayName\":\"Ada\"}",
                        400,
                        "validation-failed",
                        "long@example.com"),
                Arguments.of(
                        "common password",
                        "{\"email\":\"common@example.com\",\"password\":\"password123\",\"displayName\":\"Ada\"}",
                        400,
                        "validation-failed",
                        "common@example.com"),
                Arguments.of(
                        "common password in other case",
                        "{\"email\":\"common2@example.com\",\"password\":\"IloveYou123\",\"displayName\":\"Ada\"}",
                        400,
                        "validation-failed",
                        "common2@example.com"),
                Arguments.of(
                        "no address",
                        "{\"email\":\"not-an-address\"," + ok + "}",
                        400,
                        "validation-failed",
                        "not-an-address"),
                Arguments.of(
                        "space inside",
                        "{\"email\":\"ad a@example.com\"," + ok + "}",
                        400,
                        "validation-failed",
                        "ad a@example.com"),
                Arguments.of(
                        "Cyrillic look-alike",
                        "{\"email\":\"\u0430da@example.com\"," + ok + "}",
                        400,
                        "validation-failed",
                        "\u0430da@example.com"),
                Arguments.of(
                        "zero-width space",
                        "{\"email\":\"ada\u200b@example.com\"," + ok + "}",
                        400,
                        "validation-failed",
                        "ada\u200b@example.com"),
                Arguments.of(
                        "newline injection",
                        "{\"email\":\"ada@example.com\\r\\nBcc: x@evil.test\"," + ok + "}",
                        400,
                        "validation-failed",
                        "ada@example.com\r\nbcc: x@evil.test"),
                Arguments.of(
                        "SQL metacharacters",
                        "{\"email\":\"x'; DROP TABLE account;--@example.com\"," + ok + "}",
                        400,
                        "validation-failed",
                        "x'; drop table account;--@example.com"),
                Arguments.of(
                        "control character in name",
                        "{\"email\":\"ctl@example.com\",\"password\":\"correct-Horse-battery-9\",\"displayName\":\"A\\u0007da\"}",
                        400,
                        "validation-failed",
                        "ctl@example.com"),
                Arguments.of(
                        "10 MB body",
                        "{\"email\":\"big@example.com\",\"password\":\"" + "y".repeat(10 * 1024 * 1024)
                                + "\",\"displayName\":\"Ada\"}",
                        413,
                        "payload-too-large",
                        "big@example.com"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSignups")
    void givenBadInput_whenSignedUp_thenProblemAndNothingWritten(
            String name, String rawBody, int status, String code, String rawEmail) throws Exception {
        // Fresh addresses per run: the per-address signup limit counts across runs for an hour.
        String body = rawBody.replace("@example.com", "-" + RUN + "@example.com");
        String email = rawEmail == null ? null : rawEmail.replace("@example.com", "-" + RUN + "@example.com");
        long before = TestDb.count("SELECT count(*) FROM account");

        var answer = new Api(server.getPort(), json).postRaw("/v1/accounts", body, "application/json");

        assertEquals(status, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.contentType());
        assertTrue(answer.body().contains("\"code\":\"" + code + "\""), answer.body());
        if (email != null) {
            assertEquals(
                    0,
                    TestDb.count(
                            "SELECT count(*) FROM account WHERE email_normalized = ?",
                            email.strip().toLowerCase()));
        }
        assertTrue(TestDb.count("SELECT count(*) FROM account") >= before);
    }
}
