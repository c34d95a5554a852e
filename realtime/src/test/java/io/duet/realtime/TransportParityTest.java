package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.People;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Where the two transports used to answer the same input differently, they now answer alike. */
class TransportParityTest {
    /** Frames the server may take and clamp ({@code upToSeq} past a long, negative or zero; extra fields). */
    static final List<String> MAY_BE_TAKEN = List.of(
            "{\"type\":\"read\",\"upToSeq\":-1}",
            "{\"type\":\"read\",\"upToSeq\":0}",
            "{\"type\":\"read\",\"upToSeq\":9223372036854775807}",
            "{\"type\":\"ack\",\"upToSeq\":9223372036854775807}",
            "{\"type\":\"ack\",\"upToSeq\":-5}",
            "{\"type\":\"typing\",\"extra\":{\"nested\":[1,2,3]}}");
    /** Text that is not a frame Duet knows: refused on both transports. */
    static final List<String> MUST_BE_REFUSED = List.of(
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
    /** Sent after each frame on WebSocket: its {@code error} event shows the frames before it were handled. */
    private static final String PROBE = "{\"type\":\"probe\"}";

    static EmbeddedServer node;
    static ObjectMapper json;

    @BeforeAll
    static void start() {
        // each frame of the hostile-frames test goes on a connection of its own: more than the default connect burst
        // a long-poll session lives on while the same frames are tried over WebSocket
        node = Gateways.start(
                Gateways.freshNodeId("parity"),
                Map.of("duet.realtime.connect-burst", "200", "duet.realtime.session-idle", "60s"));
        json = node.getApplicationContext().getBean(ObjectMapper.class);
    }

    @AfterAll
    static void stop() {
        node.getApplicationContext().close();
    }

    @Test
    void givenANonNumericAfter_thenABadFrameOnBothTransports() throws Exception {
        People.Person person = People.verified("Ada");
        Poller poller = new Poller(json, person.token());
        assertEquals(201, poller.open(node.getPort()).statusCode());

        HttpResponse<String> poll = Poller.call(
                "GET",
                node.getPort(),
                "/v1/realtime/sessions/" + poller.sid + "/events?after=ten",
                person.token(),
                null);
        try (WsClient ws = WsClient.connect(node.getPort(), "token=" + person.token() + "&after=ten")) {
            assertTrue(ws.closeCode(Duration.ofSeconds(3)).startsWith("4400"));
        }

        GatewayTest.assertProblem(poll, 400, "bad-frame");
    }

    @Test
    void givenTheTokenAsASubprotocolOrInAHeader_thenBothTransportsTakeItTheSameWay() throws Exception {
        People.Person person = People.verified("Ada");

        try (WsClient ws = WsClient.connectWithProtocol(node.getPort(), person.token())) {
            GatewayTest.awaitHeld(node, person.id());
        }
        HttpResponse<String> session = Poller.call("POST", node.getPort(), "/v1/realtime/sessions", person.token(), "");

        assertEquals(201, session.statusCode(), session.body());
        assertTrue(new Api(node.getPort(), json).get("/v1/me", person.token()).status() == 200);
    }

    /**
     * Frames a buggy or hostile app may send get the same verdict on both transports: taken on both, or refused on
     * both. Refused is a 4xx problem on long-polling; on WebSocket, a close with 4400 for text that is not a frame,
     * or an {@code error} event for a frame that cannot be applied. Never a 5xx, another close code or a dropped
     * connection, and each session serves on.
     */
    @Test
    void givenMalformedAndHostileFrames_thenEachIsTakenOrRefusedAlikeOnBothTransports() throws Exception {
        Couples.Pair pair = Couples.pair(new Api(node.getPort(), json), "Cy", "Di");
        String sid;
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            sid = PollTransportTest.field(
                    wire.exchange("POST", "/v1/realtime/sessions", pair.b().token(), null, Map.of())
                            .body(),
                    "sid");
        }
        List<String> wrong = new ArrayList<>();
        for (String frame :
                Stream.concat(MAY_BE_TAKEN.stream(), MUST_BE_REFUSED.stream()).toList()) {
            HttpWire.Response polled = postFrame(pair.b(), sid, frame);
            String overWebSocket = overWebSocket(pair.b(), frame.getBytes(StandardCharsets.UTF_8));
            boolean pollRefused = polled.status() >= 400 && polled.status() < 500;
            boolean problem = polled.header("content-type").startsWith("application/problem+json")
                    && polled.body().contains("\"code\":");
            boolean pollTaken = polled.status() >= 200 && polled.status() < 300;
            boolean wsRefused = overWebSocket.equals("close 4400") || overWebSocket.equals("error event");
            String shown = frame.length() > 60 ? frame.substring(0, 60) + "…" : frame;
            if (!(pollTaken || (pollRefused && problem))
                    || !(wsRefused || overWebSocket.equals("taken"))
                    || pollRefused != wsRefused
                    || (MUST_BE_REFUSED.contains(frame) && !pollRefused)) {
                wrong.add(shown + " → long-poll " + polled.status() + " " + polled.body() + "; WebSocket "
                        + overWebSocket);
            }
        }
        HttpWire.Response typing = postFrame(pair.b(), sid, "{\"type\":\"typing\"}");

        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertTrue(typing.status() >= 200 && typing.status() < 300, "the poll session serves on: " + typing.body());
        assertEquals("taken", overWebSocket(pair.b(), "{\"type\":\"typing\"}".getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A frame whose bytes are not UTF-8 is refused even where the rest is a frame that would be taken (decoded
     * leniently, the bad bytes would become U+FFFD): a WebSocket is closed with 1007, as RFC 6455 says, and a
     * long-poll gets 400 {@code bad-frame}.
     */
    @Test
    void givenAFrameThatIsNotUtf8_thenTheWebSocketIsClosedWith1007AndThePollRefused() throws Exception {
        People.Person person = People.verified("Ada");
        byte[] typing = "{\"type\":\"typing\",\"note\":\"..\"}".getBytes(StandardCharsets.UTF_8);
        typing[typing.length - 4] = (byte) 0xc3; // a lead byte followed by "(": not UTF-8
        typing[typing.length - 3] = (byte) 0x28;
        HttpWire.Response polled;
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            String sid = PollTransportTest.field(
                    wire.exchange("POST", "/v1/realtime/sessions", person.token(), null, Map.of())
                            .body(),
                    "sid");
            wire.requestBytes("POST", "/v1/realtime/sessions/" + sid + "/events", person.token(), typing, Map.of());
            polled = wire.readResponse();
        }

        String verdict = overWebSocket(person, typing);

        assertEquals(400, polled.status(), polled.body());
        assertTrue(polled.body().contains("\"code\":\"bad-frame\""), polled.body());
        assertEquals("close 1007", verdict);
        assertEquals("taken", overWebSocket(person, "{\"type\":\"typing\"}".getBytes(StandardCharsets.UTF_8)));
    }

    /** One frame on a connection of its own (a refused frame may end its connection). */
    private static HttpWire.Response postFrame(People.Person person, String sid, String frame) throws Exception {
        try (HttpWire wire = new HttpWire(node.getPort(), 30_000)) {
            return wire.exchange("POST", "/v1/realtime/sessions/" + sid + "/events", person.token(), frame, Map.of());
        }
    }

    /**
     * Sends one frame, then {@link #PROBE}, on a WebSocket of their own; the verdict: "taken" (only the probe's
     * error event came back), "error event" (one for the frame, then the probe's), "close N", or what else
     * happened.
     */
    private static String overWebSocket(People.Person person, byte[] frame) throws Exception {
        Node gateway = node.getApplicationContext().getBean(Node.class);
        GatewayTest.awaitGone(gateway, person.id());
        try (RawWebSocket ws = new RawWebSocket(node.getPort())) {
            String head = ws.upgrade("/v1/realtime?token=" + person.token());
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            GatewayTest.awaitHeld(node, person.id());
            ws.send(0x1, true, frame);
            ws.send(0x1, true, PROBE.getBytes(StandardCharsets.UTF_8));
            int errors = 0;
            long secondBy = Long.MAX_VALUE; // after the first error event: when a second one must have come
            try {
                while (true) {
                    RawWebSocket.Frame answer = ws.read();
                    if (answer.opcode() == 0x8) {
                        return (errors == 0 ? "close " : "close after an error event: ") + answer.closeCode();
                    }
                    if (answer.opcode() == 0x9) {
                        ws.send(0xA, true, answer.payload()); // the node's heartbeat
                    }
                    if (answer.opcode() == 0x1 && answer.text().contains("\"type\":\"error\"")) {
                        errors++;
                        if (errors == 2) {
                            return "error event";
                        }
                        // a second one follows at once; 2 s for a loaded machine
                        secondBy = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                    }
                    if (secondBy != Long.MAX_VALUE) {
                        long left = secondBy - System.nanoTime();
                        if (left <= 0) {
                            return "taken";
                        }
                        ws.timeout(Duration.ofNanos(left).plusMillis(1));
                    }
                }
            } catch (SocketTimeoutException e) {
                return errors == 1 ? "taken" : "nothing within the timeout";
            } catch (EOFException e) {
                return "dropped without a close frame";
            }
        }
    }
}
