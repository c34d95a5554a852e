package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.People;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What the gateway enforces beyond a valid token: the couple as it is now (not as it was at connect),
 * sessions that ended, clients that flood frames or hold too many polls. Two real nodes sharing Redis.
 */
class RealtimeSecurityTest {
    static EmbeddedServer node1;
    static EmbeddedServer node2;
    static ObjectMapper json;
    static Api api;

    @BeforeAll
    static void startNodes() {
        Map<String, Object> settings = Map.of(
                "duet.realtime.typing-interval",
                "50ms",
                "duet.realtime.client-frames-per-second",
                "5",
                "duet.realtime.client-frame-burst",
                "10",
                "duet.realtime.max-held-polls-per-user",
                "2",
                "duet.realtime.poll-hold",
                "8s",
                "duet.realtime.session-idle",
                "10s");
        node1 = Gateways.start(Gateways.freshNodeId("sec1"), settings);
        Map<String, Object> second = new java.util.HashMap<>(settings);
        second.put("duet.queues.workers-enabled", false);
        node2 = Gateways.start(Gateways.freshNodeId("sec2"), second);
        json = node1.getApplicationContext().getBean(ObjectMapper.class);
        api = new Api(node1.getPort(), json);
    }

    @AfterAll
    static void stopNodes() {
        node2.getApplicationContext().close();
        node1.getApplicationContext().close();
    }

    @Nested
    class CoupleChanges {
        @Test
        void givenPartnersOnWebSockets_whenTheCoupleEnds_thenTheExPartnerGetsNoMoreTyping() throws Exception {
            Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
            try (WsClient a = WsClient.connect(
                            node1.getPort(), "token=" + pair.a().token());
                    WsClient b = WsClient.connect(
                            node2.getPort(), "token=" + pair.b().token())) {
                GatewayTest.awaitHeld(node1, pair.a().id());
                GatewayTest.awaitHeld(node2, pair.b().id());
                a.send("{\"type\":\"typing\"}");
                b.next(Duration.ofSeconds(10), f -> f.contains("\"typing\""));

                assertEquals(204, api.delete("/v1/couple", pair.a().token()).status());
                a.next(Duration.ofSeconds(5), f -> f.contains("\"couple.ended\""));
                Thread.sleep(100);
                a.send("{\"type\":\"typing\"}");

                assertTrue(
                        b.collect(1, Duration.ofSeconds(1), f -> f.contains("\"typing\""))
                                .isEmpty(),
                        "the ex-partner still got typing");
            }
        }

        @Test
        void givenAOnLongPolling_whenTheCoupleEnds_thenItsTypingNoLongerReachesTheExPartner() throws Exception {
            Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
            Poller a = new Poller(json, pair.a().token());
            assertEquals(201, a.open(node1.getPort()).statusCode());
            try (WsClient b =
                    WsClient.connect(node2.getPort(), "token=" + pair.b().token())) {
                GatewayTest.awaitHeld(node2, pair.b().id());
                assertEquals(202, typing(node1, a).statusCode());
                b.next(Duration.ofSeconds(10), f -> f.contains("\"typing\""));

                assertEquals(204, api.delete("/v1/couple", pair.b().token()).status());
                b.next(Duration.ofSeconds(5), f -> f.contains("\"couple.ended\""));
                // A's node has seen the end too (as A's WebSocket does in the test above), not only B's
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (a.poll(node1.getPort()).stream().noneMatch(e -> e.contains("\"couple.ended\""))) {
                    assertTrue(System.nanoTime() < deadline, "A never got couple.ended on node 1");
                }
                Thread.sleep(100);
                typing(node1, a);
                typing(node2, a);

                assertTrue(
                        b.collect(1, Duration.ofSeconds(1), f -> f.contains("\"typing\""))
                                .isEmpty(),
                        "the ex-partner still got typing");
            }
        }

        @Test
        void givenBothConnectedBeforePairing_whenTheCoupleForms_thenTypingReachesTheNewPartner() throws Exception {
            People.Person a = People.verified("Ada");
            People.Person c = People.verified("Cy");
            try (WsClient wsA = WsClient.connect(node1.getPort(), "token=" + a.token());
                    WsClient wsC = WsClient.connect(node2.getPort(), "token=" + c.token())) {
                GatewayTest.awaitHeld(node1, a.id());
                GatewayTest.awaitHeld(node2, c.id());
                wsA.send("{\"type\":\"typing\"}");
                Thread.sleep(100);

                Api.Answer invite = api.post("/v1/couple/invites", Map.of(), a.token());
                assertEquals(
                        201,
                        api.post("/v1/couple/join", Map.of("code", invite.json().get("code")), c.token())
                                .status());
                wsA.next(Duration.ofSeconds(5), f -> f.contains("\"couple.joined\""));
                wsA.send("{\"type\":\"typing\"}");

                String typing = wsC.next(Duration.ofSeconds(2), f -> f.contains("\"typing\""));
                assertTrue(typing.contains(a.id().toString()), typing);
            }
        }
    }

    @Nested
    class EndedSessions {
        @Test
        void givenAnOpenWebSocket_whenItsSessionSignsOut_thenTheSocketClosesWith4501AndCannotReconnect()
                throws Exception {
            People.Person a = People.signedIn("Ada");
            try (WsClient ws = WsClient.connect(node2.getPort(), "token=" + a.token())) {
                GatewayTest.awaitHeld(node2, a.id());

                assertEquals(204, api.delete("/v1/sessions/current", a.token()).status());

                assertTrue(ws.closeCode(Duration.ofSeconds(3)).startsWith("4501"), "closed as unauthorized");
            }
            try (WsClient again = WsClient.connect(node1.getPort(), "token=" + a.token())) {
                assertTrue(again.closeCode(Duration.ofSeconds(3)).startsWith("4501"));
            }
        }

        /**
         * A node that found the session valid moments ago, but no longer served the user when the sign-out was
         * signalled (the user's last socket on it had closed), must not open a socket for it on that memory: a
         * socket is not looked at again and would carry the couple's events until the token expires.
         */
        @Test
        void givenANodeThatTrustedTheSessionMomentsAgo_whenItReconnectsThereAfterSignOut_thenClosedWith4501()
                throws Exception {
            People.Person a = People.signedIn("Ada");
            try (WsClient ws = WsClient.connect(node2.getPort(), "token=" + a.token())) {
                GatewayTest.awaitHeld(node2, a.id());
            }
            GatewayTest.awaitGone(node2.getApplicationContext().getBean(Node.class), a.id());

            assertEquals(204, api.delete("/v1/sessions/current", a.token()).status());

            try (WsClient again = WsClient.connect(node2.getPort(), "token=" + a.token())) {
                assertTrue(again.closeCode(Duration.ofSeconds(3)).startsWith("4501"), "within the 10 s of trust");
            }
        }

        @Test
        void givenALongPollingSession_whenItsSessionSignsOut_thenTheNextPollIsUnauthorized() throws Exception {
            People.Person a = People.signedIn("Ada");
            Poller poller = new Poller(json, a.token());
            assertEquals(201, poller.open(node1.getPort()).statusCode());

            assertEquals(204, api.delete("/v1/sessions/current", a.token()).status());

            HttpResponse<String> poll = Poller.call(
                    "GET", node2.getPort(), "/v1/realtime/sessions/" + poller.sid + "/events?after=0", a.token(), null);
            GatewayTest.assertProblem(poll, 401, "unauthorized");
            GatewayTest.assertProblem(poller.open(node1.getPort()), 401, "unauthorized");
        }
    }

    @Nested
    class Tokens {
        @Test
        void givenTheTokenInAnAuthorizationHeader_thenConnectedWithNothingInTheUrl() throws Exception {
            Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
            try (WsClient b =
                    WsClient.connectWithHeader(node2.getPort(), pair.b().token())) {
                GatewayTest.awaitHeld(node2, pair.b().id());

                GatewayTest.send(api, pair.a(), "header auth");

                assertTrue(b.next(Duration.ofSeconds(3), f -> f.contains("header auth"))
                        .contains("message.created"));
            }
        }
    }

    @Nested
    class Abuse {
        @Test
        void givenAClientFloodingFrames_thenClosedWith4030AndARetryHint() throws Exception {
            People.Person a = People.verified("Ada");
            try (WsClient ws = WsClient.connect(node1.getPort(), "token=" + a.token())) {
                GatewayTest.awaitHeld(node1, a.id());

                // 40 frames over about 0.4 s: far over the burst of 10 at 5/s, yet paced so the server's close frame
                // is read between two sends (written back to back, a send could hit the closed socket first and the
                // client report a broken pipe instead of the close code).
                for (int i = 0; i < 40 && !ws.closed.isDone(); i++) {
                    try {
                        ws.send("{\"type\":\"typing\"}");
                    } catch (RuntimeException closedMeanwhile) {
                        break;
                    }
                    Thread.sleep(10);
                }

                String code = ws.closeCode(Duration.ofSeconds(3));
                assertTrue(code.startsWith("4030") && code.contains("\"retryMs\":"), code);
            }
        }

        @Test
        void givenAClientWithinItsFrameBudget_thenStaysConnected() throws Exception {
            People.Person a = People.verified("Ada");
            try (WsClient ws = WsClient.connect(node1.getPort(), "token=" + a.token())) {
                GatewayTest.awaitHeld(node1, a.id());

                for (int i = 0; i < 8; i++) {
                    ws.send("{\"type\":\"typing\"}");
                }
                Thread.sleep(500);

                assertTrue(!ws.closed.isDone(), "closed within its budget");
            }
        }

        @Test
        void givenASecondPollOfTheSameSession_thenTheFirstIsAnsweredAtOnce() throws Exception {
            People.Person a = People.verified("Ada");
            Poller poller = new Poller(json, a.token());
            assertEquals(201, poller.open(node1.getPort()).statusCode());
            String path = "/v1/realtime/sessions/" + poller.sid + "/events";
            double before = heldPolls(node1);
            CompletableFuture<HttpResponse<String>> first = held(node1, path, a.token());
            awaitHeldPolls(node1, before + 1);

            long started = System.nanoTime();
            CompletableFuture<HttpResponse<String>> second = held(node1, path, a.token());

            assertEquals(200, first.get().statusCode());
            assertTrue(
                    System.nanoTime() - started < 3_000_000_000L, "the first poll was answered when the second came");
            second.cancel(true);
        }

        @Test
        void givenMoreHeldPollsThanAUserMayHave_thenTooManyPolls() throws Exception {
            People.Person a = People.verified("Ada");
            List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            double before = heldPolls(node1);
            for (int i = 0; i < 2; i++) {
                Poller poller = new Poller(json, a.token());
                assertEquals(201, poller.open(node1.getPort()).statusCode());
                polls.add(held(node1, "/v1/realtime/sessions/" + poller.sid + "/events", a.token()));
            }
            awaitHeldPolls(node1, before + 2);
            Poller third = new Poller(json, a.token());
            assertEquals(201, third.open(node1.getPort()).statusCode());

            HttpResponse<String> refused = Poller.call(
                    "GET", node1.getPort(), "/v1/realtime/sessions/" + third.sid + "/events", a.token(), null);

            GatewayTest.assertProblem(refused, 429, "too-many-polls");
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            polls.forEach(poll -> poll.cancel(true));
        }
    }

    private static HttpResponse<String> typing(EmbeddedServer node, Poller poller) throws Exception {
        return Poller.call(
                "POST",
                node.getPort(),
                "/v1/realtime/sessions/" + poller.sid + "/events",
                poller.token,
                "{\"type\":\"typing\"}");
    }

    private static CompletableFuture<HttpResponse<String>> held(EmbeddedServer node, String path, String token) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Poller.call("GET", node.getPort(), path, token, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Polls the node holds now (its duet.realtime.poll.held gauge; other tests' polls may still be held). */
    private static double heldPolls(EmbeddedServer node) {
        return node.getApplicationContext()
                .getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .get("duet.realtime.poll.held")
                .gauge()
                .value();
    }

    /** Waits until the node holds at least {@code count} polls. */
    private static void awaitHeldPolls(EmbeddedServer node, double count) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (heldPolls(node) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " polls held");
            }
            Thread.sleep(10);
        }
    }
}
