package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.api.testing.Couples;
import io.duet.api.testing.Jwts;
import io.duet.api.testing.People;
import io.duet.realtime.session.AccessTokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The long-polling routes as HTTP on the wire: they share each keep-alive connection with the API, which
 * Netty hands to them or to Micronaut request by request; bad requests get problems; a hold ends with
 * its client. One real node (with the API), one real Redis, a client that writes HTTP/1.1 by hand ({@link HttpWire}).
 */
class PollTransportTest {
    static EmbeddedServer node;
    static Api api;
    static ObjectMapper json;
    Couples.Pair pair;

    @BeforeAll
    static void start() {
        // a long hold, so that a hold ending early is the client's doing
        node = Gateways.start(
                Gateways.freshNodeId("poll"),
                Map.of("duet.realtime.poll-hold", "20s", "duet.realtime.session-idle", "30s"));
        json = node.getApplicationContext().getBean(ObjectMapper.class);
        api = new Api(node.getPort(), json);
    }

    @AfterAll
    static void stop() {
        node.getApplicationContext().close();
    }

    @BeforeEach
    void pair() throws Exception {
        pair = Couples.pair(api, "Cy", "Di");
    }

    @Test
    void givenOneKeepAliveConnection_whenApiAndPollRequestsAlternate_thenEachIsAnsweredInTurnByItsOwnHandler()
            throws Exception {
        node.getApplicationContext().getBean(UserEvents.class).publish(pair.b().id(), "nudge", Map.of("n", 1));
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            HttpWire.Response me = wire.exchange("GET", "/v1/me", pair.b().token(), null, Map.of());
            HttpWire.Response created =
                    wire.exchange("POST", "/v1/realtime/sessions", pair.b().token(), null, Map.of());
            String sid = field(created.body(), "sid");
            HttpWire.Response polled = wire.exchange(
                    "GET",
                    "/v1/realtime/sessions/" + sid + "/events?after=0",
                    pair.b().token(),
                    null,
                    Map.of());
            HttpWire.Response sent = wire.exchange(
                    "POST",
                    "/v1/realtime/sessions/" + sid + "/events",
                    pair.b().token(),
                    "{\"type\":\"typing\"}",
                    Map.of());
            HttpWire.Response meAgain = wire.exchange("GET", "/v1/me", pair.b().token(), null, Map.of());
            HttpWire.Response ended = wire.exchange(
                    "DELETE", "/v1/realtime/sessions/" + sid, pair.b().token(), null, Map.of());
            HttpWire.Response gone = wire.exchange(
                    "GET",
                    "/v1/realtime/sessions/" + sid + "/events?after=0",
                    pair.b().token(),
                    null,
                    Map.of());

            assertEquals(200, me.status(), me.body());
            assertTrue(me.body().contains(pair.b().id().toString()), me.body());
            assertEquals(201, created.status(), created.body());
            assertTrue(
                    created.header("set-cookie").startsWith(Node.AFFINITY_COOKIE + "="),
                    created.headers().toString());
            assertEquals(200, polled.status(), polled.body());
            assertTrue(
                    polled.body().startsWith("{\"events\":[{\"seq\":1,")
                            && polled.body().contains("\"type\":\"nudge\""),
                    polled.body());
            assertEquals("application/json", polled.header("content-type"));
            assertEquals(202, sent.status(), sent.body());
            assertEquals(200, meAgain.status(), meAgain.body());
            assertEquals(204, ended.status(), ended.body());
            assertEquals(404, gone.status(), gone.body());
            assertTrue(gone.body().contains("\"code\":\"session-not-found\""), gone.body());
        }
    }

    @Test
    void givenAWrongMethodAnUnknownPathAnOversizedFrameOrANonNumericAfter_thenTheirProblemsAndTheConnectionServesOn()
            throws Exception {
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            String sid = field(
                    wire.exchange("POST", "/v1/realtime/sessions", pair.b().token(), null, Map.of())
                            .body(),
                    "sid");
            HttpWire.Response put =
                    wire.exchange("PUT", "/v1/realtime/sessions", pair.b().token(), null, Map.of());
            HttpWire.Response unknown = wire.exchange(
                    "GET",
                    "/v1/realtime/sessions/" + sid + "/elsewhere",
                    pair.b().token(),
                    null,
                    Map.of());
            HttpWire.Response notNumber = wire.exchange(
                    "GET",
                    "/v1/realtime/sessions/" + sid + "/events?after=ten",
                    pair.b().token(),
                    null,
                    Map.of("X-Request-Id", "trace-4711-abcd"));
            HttpWire.Response noToken =
                    wire.exchange("GET", "/v1/realtime/sessions/" + sid + "/events?after=0", null, null, Map.of());
            HttpWire.Response me = wire.exchange("GET", "/v1/me", pair.b().token(), null, Map.of());

            assertProblem(put, 405, "method-not-allowed");
            assertEquals("POST", put.header("allow"));
            assertProblem(unknown, 404, "not-found");
            assertProblem(notNumber, 400, "bad-frame");
            assertEquals("trace-4711-abcd", notNumber.header("x-request-id"));
            assertTrue(notNumber.body().contains("\"requestId\":\"trace-4711-abcd\""), notNumber.body());
            assertProblem(noToken, 401, "unauthorized");
            assertEquals(200, me.status(), me.body());
        }
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            String sid = field(
                    wire.exchange("POST", "/v1/realtime/sessions", pair.b().token(), null, Map.of())
                            .body(),
                    "sid");
            String frame = "{\"type\":\"typing\",\"pad\":\"" + "x".repeat(5000) + "\"}";
            HttpWire.Response oversized = wire.exchange(
                    "POST", "/v1/realtime/sessions/" + sid + "/events", pair.b().token(), frame, Map.of());

            assertProblem(oversized, 413, "payload-too-large");
            assertEquals(
                    "close",
                    oversized.header("connection"),
                    "the rest of a refused body is not read: the connection ends");
        }
    }

    /**
     * A request head past the codec's limits gets the status that names the part: 431 for header fields, 414 for the
     * request line, not the 413 of a body too large; a problem document either way, on an API path and on a
     * realtime one, and the connection closes (the rest of that head was never read).
     */
    @Test
    void givenAHeadPastTheLimits_thenHeaderFieldsAre431AndTheRequestLine414() throws Exception {
        String longToken = "Bearer " + "a".repeat(10_000);
        List<HttpWire.Response> answers = new ArrayList<>();
        for (String path : List.of("/v1/me", "/v1/realtime/sessions")) {
            try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
                answers.add(wire.exchange("GET", path, null, null, Map.of("Authorization", longToken)));
            }
        }
        HttpWire.Response longLine;
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            longLine = wire.exchange(
                    "GET", "/v1/me?pad=" + "b".repeat(5_000), pair.b().token(), null, Map.of());
        }
        HttpWire.Response me;
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            me = wire.exchange("GET", "/v1/me", pair.b().token(), null, Map.of());
        }

        for (HttpWire.Response answer : answers) {
            assertProblem(answer, 431, "header-fields-too-large");
            assertEquals("close", answer.header("connection"));
        }
        assertProblem(longLine, 414, "uri-too-long");
        assertEquals("close", longLine.header("connection"));
        assertEquals(200, me.status(), "the node serves on: " + me.body());
    }

    @Test
    void givenAHeldPoll_whenItsClientGoesAway_thenTheNodeStopsHoldingItLongBeforeTheHoldEnds() throws Exception {
        MeterRegistry meters = node.getApplicationContext().getBean(MeterRegistry.class);
        HttpWire wire = new HttpWire(node.getPort(), 30_000);
        String sid = field(
                wire.exchange("POST", "/v1/realtime/sessions", pair.b().token(), null, Map.of())
                        .body(),
                "sid");
        wire.request("GET", "/v1/realtime/sessions/" + sid + "/events", pair.b().token(), null, Map.of());
        awaitHeld(meters, 1);

        wire.close();

        long closed = System.nanoTime();
        awaitHeld(meters, 0);
        assertTrue(System.nanoTime() - closed < 5_000_000_000L, "released within seconds of a 20 s hold");
    }

    @Test
    void givenARememberedToken_thenItIsRefusedOnceExpired_andNoOtherTextPassesForIt() throws Exception {
        AccessTokens tokens = node.getApplicationContext().getBean(AccessTokens.class);
        String shortLived = Jwts.hs256(People.TEST_SECRET, pair.b().id(), 4);
        String tampered = shortLived.substring(0, shortLived.length() - 2) + (shortLived.endsWith("AA") ? "BB" : "AA");

        assertEquals(pair.b().id(), tokens.verify(shortLived, null).accountId());
        assertEquals(pair.b().id(), tokens.verify(shortLived, null).accountId(), "remembered");
        AccessTokens.RejectedException forged =
                assertThrows(AccessTokens.RejectedException.class, () -> tokens.verify(tampered, null));
        // refused within moments of its expiry (whole seconds, so 3-4 s from now), never served from memory past it
        AccessTokens.RejectedException expired = Await.until(
                Duration.ofSeconds(15),
                () -> {
                    try {
                        tokens.verify(shortLived, null);
                        return null;
                    } catch (AccessTokens.RejectedException e) {
                        return e;
                    }
                },
                refusal -> refusal != null);

        assertTrue(!forged.expired(), "a bad signature is invalid, not expired");
        assertTrue(expired.expired(), "refused as expired, not served from memory");
    }

    private static void awaitHeld(MeterRegistry meters, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (meters.get("duet.realtime.poll.held").gauge().value() != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("held polls: "
                        + meters.get("duet.realtime.poll.held").gauge().value() + ", expected " + expected);
            }
            Thread.sleep(10);
        }
    }

    private static void assertProblem(HttpWire.Response response, int status, String code) {
        assertEquals(status, response.status(), response.body());
        assertEquals("application/problem+json", response.header("content-type"));
        assertTrue(response.body().contains("\"code\":\"" + code + "\""), response.body());
    }

    /** A string field of a JSON answer (the session's {@code sid}), found by pattern. */
    static String field(String body, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(body);
        assertTrue(matcher.find(), body);
        return matcher.group(1);
    }
}
