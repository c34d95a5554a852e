package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Await;
import io.duet.api.testing.Couples;
import io.duet.api.testing.GatewayProcess;
import io.duet.api.testing.People;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamTrimArgs;
import org.redisson.client.codec.StringCodec;

/**
 * What a session does whichever transport carries it: each behaviour runs over the WebSocket and over
 * long-polling against a real node, through one small client interface ({@link Stream}).
 */
class BothTransportsTest {
    private static EmbeddedServer node;
    private static Api api;
    private static ObjectMapper json;

    enum Transport {
        WEBSOCKET,
        LONG_POLLING
    }

    private static final Duration REFUSAL_WAIT = Duration.ofSeconds(15);

    @BeforeAll
    static void start() {
        node = Gateways.start(Gateways.freshNodeId("both"), Map.of());
        json = node.getApplicationContext().getBean(ObjectMapper.class);
        api = new Api(node.getPort(), json);
    }

    @AfterAll
    static void stop() {
        node.getApplicationContext().close();
    }

    /** A client's stream of events on one transport, from {@code after}. */
    private interface Stream extends AutoCloseable {
        /** The next {@code count} events {@code wanted} lets through, in the order they came. */
        List<String> take(int count, Predicate<String> wanted) throws Exception;

        /** One client frame (ack, read, typing). */
        void send(String frame) throws Exception;

        @Override
        void close();

        static Stream open(Transport transport, int port, String token, long after) throws Exception {
            return transport == Transport.WEBSOCKET ? webSocket(port, token, after) : polling(port, token, after);
        }

        private static Stream webSocket(int port, String token, long after) throws Exception {
            WsClient socket = WsClient.connect(port, "token=" + token + "&after=" + after);
            return new Stream() {
                @Override
                public List<String> take(int count, Predicate<String> wanted) throws Exception {
                    return socket.collect(count, Duration.ofSeconds(5), wanted);
                }

                @Override
                public void send(String frame) {
                    socket.send(frame);
                }

                @Override
                public void close() {
                    socket.close();
                }
            };
        }

        private static Stream polling(int port, String token, long after) throws Exception {
            Poller poller = new Poller(json, token);
            assertEquals(201, poller.open(port).statusCode());
            poller.position = after;
            return new Stream() {
                @Override
                public List<String> take(int count, Predicate<String> wanted) throws Exception {
                    List<String> found = new ArrayList<>();
                    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    while (found.size() < count && System.nanoTime() < deadline) {
                        for (String event : poller.poll(port)) {
                            if (wanted.test(event) && found.size() < count) {
                                found.add(event);
                            }
                        }
                    }
                    return found;
                }

                @Override
                public void send(String frame) throws Exception {
                    HttpResponse<String> sent =
                            Poller.call("POST", port, "/v1/realtime/sessions/" + poller.sid + "/events", token, frame);
                    assertEquals(202, sent.statusCode(), sent.body());
                }

                @Override
                public void close() {
                    try {
                        Poller.call("DELETE", port, "/v1/realtime/sessions/" + poller.sid, token, null);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        }
    }

    private static long lastSeq(People.Person person) {
        return node.getApplicationContext().getBean(UserEvents.class).lastSeq(person.id());
    }

    private static List<Long> seqs(List<String> events) {
        return events.stream().map(GatewayTest::seq).toList();
    }

    private static Predicate<String> logged() {
        return event -> GatewayTest.seq(event) > 0;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void givenAPosition_whenTheClientResumesTwice_thenEveryEventOnceInOrder(Transport transport) throws Exception {
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        long start = lastSeq(pair.b());
        GatewayTest.send(api, pair.a(), "while away 1");
        GatewayTest.send(api, pair.a(), "while away 2");
        List<Long> seen = new ArrayList<>();

        try (Stream first = Stream.open(transport, node.getPort(), pair.b().token(), start)) {
            seen.addAll(seqs(first.take(2, logged())));
            GatewayTest.send(api, pair.a(), "live");
            seen.addAll(seqs(first.take(1, logged())));
        }
        GatewayTest.send(api, pair.a(), "between");
        try (Stream again = Stream.open(transport, node.getPort(), pair.b().token(), seen.getLast())) {
            seen.addAll(seqs(again.take(1, logged())));
        }

        assertEquals(List.of(start + 1, start + 2, start + 3, start + 4), seen);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void givenAPositionTheLogNoLongerHolds_thenResetToTheLastSeq(Transport transport) throws Exception {
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        long start = lastSeq(pair.b());
        for (int i = 0; i < 3; i++) {
            GatewayTest.send(api, pair.a(), "aged out " + i);
        }
        node.getApplicationContext()
                .getBean(RedissonClient.class)
                .getStream(UserEvents.logKey(pair.b().id()))
                .trim(StreamTrimArgs.maxLen(1).noLimit());

        try (Stream stream = Stream.open(transport, node.getPort(), pair.b().token(), start)) {
            String reset = stream.take(1, logged()).getFirst();

            long last = lastSeq(pair.b());
            assertEquals("{\"seq\":" + last + ",\"type\":\"reset\",\"data\":{\"lastSeq\":" + last + "}}", reset);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void givenAnAck_andAReadMarker_thenThePartnerSeesDeliveredAndRead(Transport transport) throws Exception {
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        try (WsClient ana = WsClient.connect(node.getPort(), "token=" + pair.a().token());
                Stream ben = Stream.open(transport, node.getPort(), pair.b().token(), lastSeq(pair.b()))) {
            GatewayTest.awaitHeld(node, pair.a().id());
            GatewayTest.send(api, pair.a(), "did you get this?");
            String received =
                    ben.take(1, event -> event.contains("message.created")).getFirst();
            long messageSeq = messageSeq(received);

            ben.send("{\"type\":\"ack\",\"upToSeq\":" + GatewayTest.seq(received) + "}");
            String delivered = ana.next(Duration.ofSeconds(5), event -> event.contains("message.delivered"));
            ben.send("{\"type\":\"read\",\"upToSeq\":" + messageSeq + "}");
            String read = ana.next(Duration.ofSeconds(5), event -> event.contains("message.read"));

            assertTrue(delivered.contains("\"upToSeq\":" + messageSeq), delivered);
            assertTrue(read.contains("\"upToSeq\":" + messageSeq), read);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void givenTyping_thenItReachesThePartner_asAnEphemeralEvent_inBothDirections(Transport transport) throws Exception {
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        try (WsClient ana = WsClient.connect(node.getPort(), "token=" + pair.a().token());
                Stream ben = Stream.open(transport, node.getPort(), pair.b().token(), lastSeq(pair.b()))) {
            GatewayTest.awaitHeld(node, pair.a().id());
            ben.send("{\"type\":\"typing\"}");
            String toAna = ana.next(Duration.ofSeconds(5), event -> event.contains("\"typing\""));
            Thread.sleep(1_100); // one typing per user per interval (1 s in tests) passes
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300); // while Ben's poll is held
                } catch (InterruptedException e) {
                    return;
                }
                ana.send("{\"type\":\"typing\"}");
            });
            String toBen = ben.take(1, event -> event.contains("\"typing\"")).getFirst();

            assertEquals(0, GatewayTest.seq(toAna));
            assertEquals(0, GatewayTest.seq(toBen));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void givenTheConnectBudgetSpent_thenTheConnectIsRefusedWithADelay(Transport transport) throws Exception {
        People.Person person = People.verified("Ada");
        List<Stream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                open.add(Stream.open(transport, node.getPort(), person.token(), 0));
            }
            // A WebSocket's connect is counted after its handshake, on another thread: on a busy machine the
            // seventh could be counted before one of the six, and one of those be the one refused. Wait until
            // the six have spent the budget.
            RMap<String, String> bucket = node.getApplicationContext()
                    .getBean(RedissonClient.class)
                    .getMap("duet:rt:budget:{" + person.id() + "}", StringCodec.INSTANCE);
            Await.until(
                    REFUSAL_WAIT,
                    () -> bucket.get("tokens"),
                    tokens -> tokens != null && Double.parseDouble(tokens) < 1);
            long retryMs;
            if (transport == Transport.WEBSOCKET) {
                try (WsClient refused = WsClient.connect(node.getPort(), "token=" + person.token())) {
                    // The refusal waits on the budget's Redis call, which may take a command timeout and its
                    // one retry (3 s + 1 s + 3 s) when Redis is slow: a late refusal is still a refusal.
                    String reconnect = refused.next(REFUSAL_WAIT, f -> f.contains("\"reconnect\""));
                    String close = refused.closeCode(REFUSAL_WAIT);
                    assertTrue(close.startsWith("4029"), close);
                    retryMs = number(close, "retryMs");
                    assertEquals(retryMs, number(reconnect, "delayMs"));
                }
            } else {
                HttpResponse<String> refused =
                        Poller.call("POST", node.getPort(), "/v1/realtime/sessions", person.token(), "");
                GatewayTest.assertProblem(refused, 429, "too-many-connects");
                retryMs = 1000
                        * Long.parseLong(
                                refused.headers().firstValue("Retry-After").orElseThrow());
            }
            assertTrue(retryMs > 0 && retryMs <= 10_000, "retry after " + retryMs + " ms");
        } finally {
            open.forEach(Stream::close);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void givenTheNodeDrains_thenTheClientIsToldWhenToComeBack(Transport transport) throws Exception {
        EmbeddedServer draining = Gateways.start(Gateways.freshNodeId("drains"), Map.of());
        People.Person person = People.verified("Ada");
        try (Stream stream = Stream.open(transport, draining.getPort(), person.token(), 0)) {
            if (transport == Transport.WEBSOCKET) {
                GatewayTest.awaitHeld(draining, person.id());
            }
            Thread.ofVirtual().start(() -> {
                sleepQuietly(500); // the poll is held by then
                draining.getApplicationContext().getBean(Node.class).drain();
            });
            String reconnect =
                    stream.take(1, event -> event.contains("\"reconnect\"")).getFirst();

            assertTrue(reconnect.contains("\"reason\":\"shutting-down\""), reconnect);
            long delay = number(reconnect, "delayMs");
            assertTrue(delay >= 200 && delay <= 2_000, "delay " + delay);
        } finally {
            draining.getApplicationContext().close();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void givenTheNodeKilledMidStream_whenTheClientResumesOnAnother_thenNothingIsLost(Transport transport)
            throws Exception {
        Process doomed = Gateways.startProcess(Gateways.freshNodeId("doomed"));
        try {
            int doomedPort = GatewayProcess.awaitPort(doomed);
            Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
            long start = lastSeq(pair.b());
            List<Long> seen = new ArrayList<>();
            Stream onDoomed = Stream.open(transport, doomedPort, pair.b().token(), start);
            GatewayTest.send(api, pair.a(), "before the kill");
            seen.addAll(seqs(onDoomed.take(1, logged())));

            doomed.destroyForcibly().waitFor();
            for (int i = 1; i <= 3; i++) {
                GatewayTest.send(api, pair.a(), "after the kill " + i);
            }
            try (Stream elsewhere =
                    Stream.open(transport, node.getPort(), pair.b().token(), seen.getLast())) {
                seen.addAll(seqs(elsewhere.take(3, logged())));
            }

            assertEquals(List.of(start + 1, start + 2, start + 3, start + 4), seen);
        } finally {
            doomed.destroyForcibly();
        }
    }

    private static long messageSeq(String event) {
        return number(event.substring(event.indexOf("\"data\"")), "seq");
    }

    private static long number(String text, String field) {
        Matcher matcher = Pattern.compile("\\\\?\"" + field + "\\\\?\":(\\d+)").matcher(text);
        assertTrue(matcher.find(), field + " in " + text);
        return Long.parseLong(matcher.group(1));
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
