package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.Jwts;
import io.duet.api.testing.People;
import io.duet.api.testing.RedisAdmin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Two real gateway nodes (each with the API) sharing one Redis; real WebSocket and HTTP clients. */
class GatewayTest {
    /** Node 2's name in Redis's CLIENT LIST, so the test can cut its fan-out connection and nobody else's. */
    static final String NODE2_REDIS_NAME =
            "duet-gw-test-" + java.util.UUID.randomUUID().toString().substring(0, 8);

    static EmbeddedServer node1;
    static EmbeddedServer node2;
    static ObjectMapper json;
    static Api api;
    Couples.Pair pair;

    @BeforeAll
    static void startNodes() {
        node1 = Gateways.start(Gateways.freshNodeId("one"), Map.of());
        node2 = Gateways.start(
                Gateways.freshNodeId("two"),
                Map.of("duet.queues.workers-enabled", false, "duet.redis.client-name", NODE2_REDIS_NAME));
        json = node1.getApplicationContext().getBean(ObjectMapper.class);
        api = new Api(node1.getPort(), json);
    }

    @AfterAll
    static void stopNodes() {
        node2.getApplicationContext().close();
        node1.getApplicationContext().close();
    }

    @BeforeEach
    void pair() throws Exception {
        pair = Couples.pair(api, "Ada", "Bo");
    }

    /** Events reach the partner across nodes and transports, in order, nothing lost or repeated. */
    @Nested
    class Delivery {
        /** Delivered live, on the open connection (its latency is measured by {@code ./duet bench realtime}). */
        @Test
        void givenPartnersOnDifferentNodes_whenAMessageIsSent_thenThePartnerGetsItLive() throws Exception {
            try (WsClient a = WsClient.connect(
                            node1.getPort(), "token=" + pair.a().token());
                    WsClient b = WsClient.connect(
                            node2.getPort(), "token=" + pair.b().token())) {
                awaitHeld(node2, pair.b().id());

                send(pair.a(), "hello from node 1");
                String created = b.next(Duration.ofSeconds(10), frame -> frame.contains("\"message.created\""));

                assertTrue(created.contains("hello from node 1"), created);
                assertTrue(!b.closed.isDone(), "on the connection it was sent to, not after a reconnect");
            }
        }

        @Test
        void givenBMissed20Messages_whenItResumesWithAfter_thenExactlyThose20InOrder() throws Exception {
            long position;
            try (WsClient b =
                    WsClient.connect(node2.getPort(), "token=" + pair.b().token())) {
                awaitHeld(node2, pair.b().id());
                send(pair.a(), "before");
                position = seq(b.next(Duration.ofSeconds(5), frame -> frame.contains("before")));
            }
            List<String> texts = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                texts.add("missed " + i);
                send(pair.a(), "missed " + i);
            }

            try (WsClient b =
                    WsClient.connect(node1.getPort(), "token=" + pair.b().token() + "&after=" + position)) {
                List<String> got = b.collect(20, Duration.ofSeconds(5), frame -> seq(frame) > 0);

                assertEquals(20, got.size(), got.toString());
                for (int i = 0; i < 20; i++) {
                    assertEquals(position + 1 + i, seq(got.get(i)));
                    assertTrue(got.get(i).contains("\"" + texts.get(i) + "\""), got.get(i));
                }
                assertTrue(
                        b.collect(1, Duration.ofMillis(300), frame -> seq(frame) > 0)
                                .isEmpty(),
                        "no duplicates after");
            }
        }

        @Test
        void givenTheFanOutConnectionIsCut_whenEventsArePublishedMeanwhile_thenTheyReachTheClientWithoutAnotherEvent()
                throws Exception {
            var events = node2.getApplicationContext().getBean(io.duet.api.events.UserEvents.class);
            try (WsClient b =
                    WsClient.connect(node2.getPort(), "token=" + pair.b().token())) {
                awaitHeld(node2, pair.b().id());
                String cut = RedisAdmin.subscriberId(NODE2_REDIS_NAME);

                RedisAdmin.command("CLIENT", "KILL", "ID", cut);
                for (int i = 1; i <= 3; i++) {
                    events.publish(pair.b().id(), "nudge", Map.of("n", i));
                }

                List<String> got = b.collect(3, Duration.ofSeconds(5), frame -> frame.contains("\"nudge\""));
                assertEquals(3, got.size(), got.toString());
                assertTrue(
                        !RedisAdmin.subscriberId(NODE2_REDIS_NAME).equals(cut), "subscribed again on a new connection");
            }
        }

        @Test
        void givenBOnLongPollingOnly_thenItGetsTheSameStreamAsTheLog() throws Exception {
            Poller b = new Poller(json, pair.b().token());
            assertEquals(201, b.open(node2.getPort()).statusCode());
            for (int i = 1; i <= 5; i++) {
                send(pair.a(), "lp " + i);
            }

            List<String> got = new ArrayList<>();
            while (got.stream().filter(e -> e.contains("message.created")).count() < 5) {
                got.addAll(b.poll(node2.getPort()));
            }

            List<String> log = node1.getApplicationContext()
                    .getBean(io.duet.api.events.UserEvents.class)
                    .read(pair.b().id(), 0, 100)
                    .events();
            assertEquals(
                    log.stream().map(GatewayTest::seq).toList(),
                    got.stream().map(GatewayTest::seq).filter(s -> s > 0).toList());
        }

        @Test
        void givenAHeldPoll_whenAMessageArrives_thenThePollAnswersAtOnce() throws Exception {
            Poller b = new Poller(json, pair.b().token());
            b.open(node1.getPort());
            b.position = seqOfLog(pair.b().id());
            MeterRegistry meters = node2.getApplicationContext().getBean(MeterRegistry.class);
            double heldBefore = meters.get("duet.realtime.poll.held").gauge().value();
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    // once the poll is held on node 2
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (meters.get("duet.realtime.poll.held").gauge().value() <= heldBefore
                            && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    send(pair.a(), "wake up");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });

            long start = System.nanoTime();
            List<String> got = b.poll(node2.getPort());
            sender.join();

            assertTrue(got.stream().anyMatch(e -> e.contains("wake up")), got.toString());
            assertTrue(
                    System.nanoTime() - start
                            < node2.getApplicationContext()
                                    .getBean(RealtimeConfig.class)
                                    .pollHold()
                                    .toNanos(),
                    "answered by the message, before the hold ended");
        }

        @Test
        void givenSwitchingBetweenWebSocketAndLongPolling_thenNothingIsLostOrDuplicated() throws Exception {
            List<Long> seen = new ArrayList<>();
            long position;
            try (WsClient b =
                    WsClient.connect(node1.getPort(), "token=" + pair.b().token())) {
                awaitHeld(node1, pair.b().id());
                for (int i = 1; i <= 3; i++) {
                    send(pair.a(), "ws " + i);
                }
                for (String frame : b.collect(3, Duration.ofSeconds(5), f -> f.contains("message.created"))) {
                    seen.add(seq(frame));
                }
                position = seen.getLast();
            }
            for (int i = 1; i <= 3; i++) {
                send(pair.a(), "while switching " + i);
            }
            Poller poller = new Poller(json, pair.b().token());
            poller.open(node2.getPort());
            poller.position = position;
            while (poller.position < position + 3) {
                for (String event : poller.poll(node2.getPort())) {
                    if (seq(event) > 0) {
                        seen.add(seq(event));
                    }
                }
            }
            for (int i = 1; i <= 3; i++) {
                send(pair.a(), "after upgrade " + i);
            }
            try (WsClient b =
                    WsClient.connect(node2.getPort(), "token=" + pair.b().token() + "&after=" + poller.position)) {
                for (String frame : b.collect(3, Duration.ofSeconds(5), f -> seq(f) > 0)) {
                    seen.add(seq(frame));
                }
            }

            assertEquals(9, seen.size(), seen.toString());
            for (int i = 1; i < seen.size(); i++) {
                assertEquals(seen.get(i - 1) + 1, seen.get(i), seen.toString());
            }
        }

        @Test
        void givenPollsSentRoundRobinToBothNodes_thenNothingIsLostOrDuplicated() throws Exception {
            Poller b = new Poller(json, pair.b().token());
            b.open(node1.getPort());
            b.position = seqOfLog(pair.b().id());
            long first = b.position + 1;
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 1; i <= 30; i++) {
                        send(pair.a(), "rr " + i);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });

            List<Long> seqs = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            int[] ports = {node1.getPort(), node2.getPort()};
            for (int poll = 0; texts.size() < 30 && poll < 200; poll++) {
                for (String event : b.poll(ports[poll % 2])) {
                    if (event.contains("message.created")) {
                        seqs.add(seq(event));
                        texts.add(event.replaceAll(".*\"text\":\"(rr \\d+)\".*", "$1"));
                    }
                }
            }
            sender.join();

            assertEquals(30, texts.size(), texts.toString());
            for (int i = 0; i < 30; i++) {
                assertEquals("rr " + (i + 1), texts.get(i));
                assertEquals(first + i, seqs.get(i));
            }
        }
    }

    /** The WebSocket connection itself: slow readers, bad frames, the upgrade, pings. */
    @Nested
    class Connections {
        @Test
        void givenAClientThatNeverReads_thenItIsCutOff_andOthersOnTheNodeKeepGettingEvents() throws Exception {
            var events = node1.getApplicationContext().getBean(io.duet.api.events.UserEvents.class);
            Node node = node1.getApplicationContext().getBean(Node.class);
            try (WsClient stuck = WsClient.connect(
                            node1.getPort(), "token=" + pair.b().token(), false);
                    WsClient a = WsClient.connect(
                            node1.getPort(), "token=" + pair.a().token())) {
                awaitHeld(node1, pair.b().id());
                String big = "x".repeat(8000);

                for (int i = 0; i < 2000 && node.anyConnectionOf(pair.b().id()).isPresent(); i++) {
                    events.publish(pair.b().id(), "nudge", Map.of("filler", big));
                    node.anyConnectionOf(pair.b().id())
                            .ifPresent(connection ->
                                    assertTrue(connection.unsentBytes() <= 65536, "outbound stays bounded"));
                }
                awaitGone(node, pair.b().id());

                send(pair.b(), "still served");
                assertTrue(a.next(Duration.ofSeconds(2), f -> f.contains("still served"))
                        .contains("message.created"));
            }
        }

        @Test
        void givenMalformedFrame_thenClosedWith4400_andTheNodeServesOthers() throws Exception {
            try (WsClient b = WsClient.connect(
                            node1.getPort(), "token=" + pair.b().token());
                    WsClient a = WsClient.connect(
                            node1.getPort(), "token=" + pair.a().token())) {
                awaitHeld(node1, pair.b().id());

                b.send("{not json");

                assertTrue(b.closeCode(Duration.ofSeconds(3)).startsWith("4400 "));
                send(pair.b(), "after the bad frame");
                a.next(Duration.ofSeconds(2), f -> f.contains("after the bad frame"));
            }
        }

        @Test
        void givenOversizedFrame_thenClosedWith1009() throws Exception {
            try (WsClient b =
                    WsClient.connect(node1.getPort(), "token=" + pair.b().token())) {
                awaitHeld(node1, pair.b().id());

                b.send("{\"type\":\"typing\",\"pad\":\"" + "y".repeat(10_000) + "\"}");

                assertTrue(b.closeCode(Duration.ofSeconds(3)).startsWith("1009 "));
            }
        }

        @Test
        void givenARawUpgradeWithTheTokenAsSubprotocol_thenTheAnswerIs101WithDuetAndTheAffinityCookie()
                throws Exception {
            try (RawWebSocket socket = new RawWebSocket(node1.getPort())) {
                String head = socket.upgrade(
                                "/v1/realtime",
                                "Sec-WebSocket-Protocol: duet.token." + pair.b().token() + ", duet")
                        .toLowerCase(java.util.Locale.ROOT);

                assertTrue(head.startsWith("http/1.1 101"), head);
                assertTrue(head.contains("sec-websocket-protocol: duet\r\n"), head);
                String nodeId =
                        node1.getApplicationContext().getBean(Node.class).id().toLowerCase(java.util.Locale.ROOT);
                assertTrue(head.contains("set-cookie: duet_rt_node=" + nodeId + ";"), head);
                awaitHeld(node1, pair.b().id());
            }
        }

        @Test
        void givenAClientPing_thenAPongWithItsPayload() throws Exception {
            try (RawWebSocket socket = new RawWebSocket(node1.getPort())) {
                socket.upgrade("/v1/realtime?token=" + pair.b().token());
                awaitHeld(node1, pair.b().id());

                socket.send(0x9, true, "are you there".getBytes(java.nio.charset.StandardCharsets.UTF_8));

                assertEquals("are you there", socket.readUntil(0xA).text());
            }
        }

        @Test
        void givenABinaryOrAFragmentedFrame_thenClosedWith4400() throws Exception {
            try (RawWebSocket binary = new RawWebSocket(node1.getPort());
                    RawWebSocket fragmented = new RawWebSocket(node1.getPort())) {
                binary.upgrade("/v1/realtime?token=" + pair.b().token());
                fragmented.upgrade("/v1/realtime?token=" + pair.a().token());
                awaitHeld(node1, pair.b().id());
                awaitHeld(node1, pair.a().id());

                binary.send(0x2, true, new byte[] {1, 2, 3});
                fragmented.send(0x1, false, "{\"type\":".getBytes(java.nio.charset.StandardCharsets.UTF_8));

                assertEquals(4400, binary.readUntil(0x8).closeCode());
                assertEquals(4400, fragmented.readUntil(0x8).closeCode());
            }
        }

        @Test
        void givenAKeepAliveConnectionThatServedAnApiRequest_whenItUpgrades_thenItCarriesEvents() throws Exception {
            try (RawWebSocket socket = new RawWebSocket(node1.getPort())) {
                String me = socket.request(
                        "GET", "/v1/me", "Authorization: Bearer " + pair.b().token());
                assertTrue(me.startsWith("HTTP/1.1 200"), me);

                assertTrue(
                        socket.upgrade("/v1/realtime?token=" + pair.b().token()).startsWith("HTTP/1.1 101"));
                awaitHeld(node1, pair.b().id());
                send(pair.a(), "over the upgraded connection");

                String frame;
                do {
                    frame = socket.readUntil(0x1).text();
                } while (!frame.contains("over the upgraded connection"));
                assertTrue(frame.contains("\"message.created\""), frame);
            }
        }
    }

    /** Who may connect: expired, forged and expiring tokens on both transports. */
    @Nested
    class Tokens {
        @Test
        void givenExpiredOrForgedToken_thenWebSocketClosesWith4010Or4501() throws Exception {
            String expired = Jwts.hs256(People.TEST_SECRET, pair.b().id(), -60);
            String forged = Jwts.hs256(
                    "another-secret-another-secret-another-secret", pair.b().id(), 600);

            try (WsClient late = WsClient.connect(node1.getPort(), "token=" + expired);
                    WsClient fake = WsClient.connect(node1.getPort(), "token=" + forged)) {
                assertTrue(late.closeCode(Duration.ofSeconds(3)).startsWith("4010 "));
                assertTrue(fake.closeCode(Duration.ofSeconds(3)).startsWith("4501 "));
            }
        }

        @Test
        void givenATokenThatExpiresWhileConnected_thenTheServerClosesWith4010() throws Exception {
            String shortLived = Jwts.hs256(People.TEST_SECRET, pair.b().id(), 2);
            try (WsClient b = WsClient.connect(node1.getPort(), "token=" + shortLived)) {
                String code = b.closeCode(Duration.ofSeconds(5));

                assertTrue(code.startsWith("4010 "), code);
            }
        }

        @Test
        void givenTokenInSubprotocol_thenConnected() throws Exception {
            try (WsClient b =
                    WsClient.connectWithProtocol(node1.getPort(), pair.b().token())) {
                assertEquals("duet", b.socket.getSubprotocol());
                awaitHeld(node1, pair.b().id());
                send(pair.a(), "via subprotocol");
                b.next(Duration.ofSeconds(2), f -> f.contains("via subprotocol"));
            }
        }

        @Test
        void givenUnknownOrForeignSidOrExpiredToken_thenLongPollingAnswers404Or401Problems() throws Exception {
            Poller b = new Poller(json, pair.b().token());
            b.open(node1.getPort());
            String expired = Jwts.hs256(People.TEST_SECRET, pair.b().id(), -60);

            HttpResponse<String> unknown = Poller.call(
                    "GET",
                    node1.getPort(),
                    "/v1/realtime/sessions/xx.AAAAAAAAAAAAAAAAAAAAAA/events",
                    pair.b().token(),
                    null);
            HttpResponse<String> foreign = Poller.call(
                    "GET",
                    node2.getPort(),
                    "/v1/realtime/sessions/" + b.sid + "/events",
                    pair.a().token(),
                    null);
            HttpResponse<String> late =
                    Poller.call("GET", node1.getPort(), "/v1/realtime/sessions/" + b.sid + "/events", expired, null);
            HttpResponse<String> garbage = Poller.call(
                    "GET",
                    node1.getPort(),
                    "/v1/realtime/sessions/%2F..%2F/events",
                    pair.b().token(),
                    null);
            HttpResponse<String> badFrame = Poller.call(
                    "POST",
                    node1.getPort(),
                    "/v1/realtime/sessions/" + b.sid + "/events",
                    pair.b().token(),
                    "[1,2");

            assertProblem(unknown, 404, "session-not-found");
            assertProblem(foreign, 404, "session-not-found");
            assertProblem(late, 401, "token-expired");
            assertTrue(
                    garbage.statusCode() == 404 || garbage.statusCode() == 400,
                    garbage.statusCode() + " " + garbage.body());
            assertProblem(badFrame, 400, "bad-frame");
        }
    }

    /** Typing, receipts and presence between the two partners. */
    @Nested
    class PartnerSignals {
        @Test
        void givenTyping_thenThePartnerGetsItOnce_perInterval_andItIsNotStored() throws Exception {
            try (WsClient a = WsClient.connect(
                            node1.getPort(), "token=" + pair.a().token());
                    WsClient b = WsClient.connect(
                            node2.getPort(), "token=" + pair.b().token())) {
                awaitHeld(node2, pair.b().id());
                awaitHeld(node1, pair.a().id());

                a.send("{\"type\":\"typing\"}");
                a.send("{\"type\":\"typing\"}");

                String typing = b.next(Duration.ofSeconds(2), f -> f.contains("\"typing\""));
                assertEquals(0, seq(typing));
                assertTrue(
                        b.collect(1, Duration.ofMillis(500), f -> f.contains("\"typing\""))
                                .isEmpty(),
                        "rate-limited");
                assertTrue(node1
                        .getApplicationContext()
                        .getBean(io.duet.api.events.UserEvents.class)
                        .read(pair.b().id(), 0, 100)
                        .events()
                        .stream()
                        .noneMatch(e -> e.contains("typing")));
            }
        }

        @Test
        void givenBAcksAndReads_thenASeesDeliveredAndRead() throws Exception {
            try (WsClient a = WsClient.connect(
                            node1.getPort(), "token=" + pair.a().token());
                    WsClient b = WsClient.connect(
                            node2.getPort(), "token=" + pair.b().token())) {
                awaitHeld(node2, pair.b().id());
                awaitHeld(node1, pair.a().id());
                Api.Answer message = send(pair.a(), "did you get this?");
                long messageSeq = ((Number) message.json().get("seq")).longValue();
                long eventSeq = seq(b.next(Duration.ofSeconds(2), f -> f.contains("did you get this?")));

                b.send("{\"type\":\"ack\",\"upToSeq\":" + eventSeq + "}");
                String delivered = a.next(Duration.ofSeconds(2), f -> f.contains("\"message.delivered\""));
                b.send("{\"type\":\"read\",\"upToSeq\":" + messageSeq + "}");
                String read = a.next(Duration.ofSeconds(2), f -> f.contains("\"message.read\""));

                assertTrue(delivered.contains("\"upToSeq\":" + messageSeq), delivered);
                assertTrue(delivered.contains(pair.b().id().toString()), delivered);
                assertTrue(read.contains("\"upToSeq\":" + messageSeq), read);
            }
        }

        @Test
        void givenAConnectsAndLeaves_thenBSeesOnlineThenOfflineAfterTheGrace() throws Exception {
            try (WsClient b =
                    WsClient.connect(node2.getPort(), "token=" + pair.b().token())) {
                awaitHeld(node2, pair.b().id());
                WsClient a =
                        WsClient.connect(node1.getPort(), "token=" + pair.a().token());
                String online = b.next(Duration.ofSeconds(2), f -> f.contains("\"presence\"") && seq(f) > 0);
                assertTrue(
                        online.contains("\"online\":true")
                                && online.contains(pair.a().id().toString()),
                        online);

                a.close();
                long closedAt = System.nanoTime();
                String offline = b.next(
                        Duration.ofSeconds(3), f -> f.contains("\"presence\"") && f.contains("\"online\":false"));

                assertTrue(System.nanoTime() - closedAt >= 400_000_000L, "not before the grace");
                assertTrue(offline.contains(pair.a().id().toString()));
            }
        }
    }

    /** Reconnect budgets and a node draining its clients to another. */
    @Nested
    class Reconnects {
        @Test
        void givenAClientReconnectingFasterThanItsBudget_thenRefusedWith4029AndARetryHint() throws Exception {
            String refused = null;
            for (int i = 0; i < 10 && refused == null; i++) {
                WsClient b =
                        WsClient.connect(node1.getPort(), "token=" + pair.b().token());
                String code = b.closed.isDone()
                        ? b.closeCode(Duration.ZERO)
                        : b.collect(1, Duration.ofMillis(300), f -> f.contains("too-many-connects"))
                                        .isEmpty()
                                ? null
                                : b.closeCode(Duration.ofSeconds(2));
                if (code != null && code.startsWith("4029 ")) {
                    refused = code;
                }
                b.close();
            }

            assertTrue(refused != null, "refused within 10 quick connects");
            Matcher retry = Pattern.compile("\"retryMs\":(\\d+)").matcher(refused);
            assertTrue(retry.find() && Long.parseLong(retry.group(1)) > 0, refused);
            Poller poller = new Poller(json, pair.b().token());
            HttpResponse<String> lp = poller.open(node2.getPort());
            assertProblem(lp, 429, "too-many-connects");
            assertTrue(lp.headers().firstValue("Retry-After").isPresent());
        }

        @Test
        void givenANodeShutsDown_thenClientsAreToldToReconnectWithAJitteredDelay_andResumeElsewhere() throws Exception {
            EmbeddedServer node3 =
                    Gateways.start(Gateways.freshNodeId("three"), Map.of("duet.queues.workers-enabled", false));
            long position;
            WsClient b = WsClient.connect(node3.getPort(), "token=" + pair.b().token());
            try {
                awaitHeld(node3, pair.b().id());
                send(pair.a(), "before drain");
                position = seq(b.next(Duration.ofSeconds(2), f -> f.contains("before drain")));

                node3.getApplicationContext().close();

                String reconnect = b.next(Duration.ofSeconds(3), f -> f.contains("\"reconnect\""));
                long delay = Long.parseLong(reconnect.replaceAll(".*\"delayMs\":(\\d+).*", "$1"));
                assertTrue(delay >= 200 && delay <= 2000, reconnect);
                assertTrue(b.closeCode(Duration.ofSeconds(3)).startsWith("4001 "));
            } finally {
                b.close();
            }
            send(pair.a(), "during the move");
            try (WsClient again =
                    WsClient.connect(node1.getPort(), "token=" + pair.b().token() + "&after=" + position)) {
                String next = again.next(Duration.ofSeconds(2), f -> seq(f) > 0);
                assertEquals(position + 1, seq(next));
                assertTrue(next.contains("during the move"));
            }
        }

        // helpers
    }

    static Api.Answer send(People.Person from, String text) throws Exception {
        return send(api, from, text);
    }

    static Api.Answer send(Api api, People.Person from, String text) throws Exception {
        Api.Answer answer = api.post(
                "/v1/couple/messages", Map.of("clientId", UUID.randomUUID().toString(), "text", text), from.token());
        assertEquals(201, answer.status(), answer.body());
        return answer;
    }

    static long seq(String event) {
        Matcher matcher = Pattern.compile("\"seq\":(\\d+)").matcher(event);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    static long seqOfLog(UUID user) {
        return node1.getApplicationContext()
                .getBean(io.duet.api.events.UserEvents.class)
                .lastSeq(user);
    }

    static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(
                response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                response.headers().toString());
        assertTrue(response.body().contains("\"code\":\"" + code + "\""), response.body());
    }

    /** Waits until the node has started delivery to a connection of the user (registered, caught up). */
    static void awaitHeld(EmbeddedServer server, UUID user) throws Exception {
        Node node = server.getApplicationContext().getBean(Node.class);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (node.anyConnectionOf(user).isEmpty()
                || !node.anyConnectionOf(user).get().session().live()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("connection of " + user + " not live on " + node.id());
            }
            Thread.sleep(10);
        }
    }

    static void awaitGone(Node node, UUID user) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (node.anyConnectionOf(user).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("connection of " + user + " still open on " + node.id());
            }
            Thread.sleep(20);
        }
    }
}
