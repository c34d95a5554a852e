package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.Jwts;
import io.duet.api.testing.People;
import io.duet.realtime.session.AccessTokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
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
     * Client frames a buggy or hostile app may post: each answered 2xx or a 4xx problem, never a 5xx, and the session
     * serves on (a valid frame after them is taken). {@code upToSeq} past the end, negative or zero is a frame the
     * server takes and clamps, so it may be 2xx; text that cannot be a frame must be refused.
     */
    @Test
    void givenMalformedAndHostileFrames_whenPosted_thenEachIsA2xxOrA4xxProblemAndTheSessionServesOn() throws Exception {
        String sid;
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            sid = field(
                    wire.exchange("POST", "/v1/realtime/sessions", pair.b().token(), null, Map.of())
                            .body(),
                    "sid");
        }
        List<String> mayBeTaken = List.of(
                "{\"type\":\"read\",\"upToSeq\":-1}",
                "{\"type\":\"read\",\"upToSeq\":0}",
                "{\"type\":\"read\",\"upToSeq\":9223372036854775807}",
                "{\"type\":\"ack\",\"upToSeq\":9223372036854775807}",
                "{\"type\":\"ack\",\"upToSeq\":-5}",
                "{\"type\":\"typing\",\"extra\":{\"nested\":[1,2,3]}}");
        List<String> mustBeRefused = List.of(
                "",
                "{",
                "[]",
                "null",
                "42",
                "\"typing\"",
                "{}",
                "{\"type\":null}",
                "{\"type\":42}",
                "{\"type\":[\"typing\"]}",
                "{\"type\":\"typ\\u0000ing\"}",
                "{\"type\":\"\\ud800\"}",
                "{\"type\":\"nudge\"}",
                "{\"type\":\"read\"}",
                "{\"type\":\"read\",\"upToSeq\":\"ten\"}",
                "{\"type\":\"read\",\"upToSeq\":1e400}",
                "{\"type\":\"read\",\"upToSeq\":9223372036854775808}",
                "{\"type\":\"ack\",\"upToSeq\":{}}",
                "[".repeat(1000) + "]".repeat(1000));
        List<String> wrong = new java.util.ArrayList<>();
        for (String frame : java.util.stream.Stream.concat(mayBeTaken.stream(), mustBeRefused.stream())
                .toList()) {
            HttpWire.Response answer = postFrame(sid, frame);
            boolean refused = answer.status() >= 400 && answer.status() < 500;
            boolean problem = answer.header("content-type").startsWith("application/problem+json")
                    && answer.body().contains("\"code\":");
            if (answer.status() >= 500 || (refused && !problem) || (mustBeRefused.contains(frame) && !refused)) {
                String shown = frame.length() > 60 ? frame.substring(0, 60) + "…" : frame;
                wrong.add(shown + " → " + answer.status() + " " + answer.body());
            }
        }
        HttpWire.Response typing = postFrame(sid, "{\"type\":\"typing\"}");

        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertTrue(typing.status() >= 200 && typing.status() < 300, "the session serves on: " + typing.body());
    }

    /** One frame on a connection of its own (a refused frame may end its connection). */
    private HttpWire.Response postFrame(String sid, String frame) throws Exception {
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            return wire.exchange(
                    "POST", "/v1/realtime/sessions/" + sid + "/events", pair.b().token(), frame, Map.of());
        }
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
        String shortLived = Jwts.hs256(People.TEST_SECRET, pair.b().id(), 2);
        String tampered = shortLived.substring(0, shortLived.length() - 2) + (shortLived.endsWith("AA") ? "BB" : "AA");

        assertEquals(pair.b().id(), tokens.verify(shortLived, null).accountId());
        assertEquals(pair.b().id(), tokens.verify(shortLived, null).accountId(), "remembered");
        AccessTokens.RejectedException forged =
                assertThrows(AccessTokens.RejectedException.class, () -> tokens.verify(tampered, null));
        Thread.sleep(2500);
        AccessTokens.RejectedException expired =
                assertThrows(AccessTokens.RejectedException.class, () -> tokens.verify(shortLived, null));

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

    private static String field(String body, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(body);
        assertTrue(matcher.find(), body);
        return matcher.group(1);
    }
}
