package io.duet.api.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
class MessagesTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    UserEvents events;

    Api api;
    Couples.Pair pair;

    @BeforeEach
    void setUp() throws Exception {
        api = new Api(server.getPort(), json);
        pair = Couples.pair(api, "Ada", "Bo");
    }

    @Test
    void givenSend_thenSeqIsAssigned_andBothPartnersGetTheEvent() throws Exception {
        Api.Answer first = send(pair.a().token(), UUID.randomUUID(), "Good morning ☀️");
        assertEquals(201, first.status(), first.body());
        assertEquals(1, ((Number) first.json().get("seq")).intValue());
        assertEquals(pair.a().id().toString(), first.json().get("senderId"));
        assertEquals("Good morning ☀️", first.json().get("text"));
        Api.Answer second = send(pair.b().token(), UUID.randomUUID(), "Morning!");
        assertEquals(2, ((Number) second.json().get("seq")).intValue());

        for (var person : List.of(pair.a(), pair.b())) {
            List<String> created = events.read(person.id(), 0, 100).events().stream()
                    .filter(event -> event.contains("\"type\":\"message.created\""))
                    .toList();
            assertEquals(2, created.size(), created.toString());
            assertTrue(created.get(0).contains("Good morning") && created.get(1).contains("Morning!"));
        }
    }

    @Test
    void givenRetryWithSameClientId_thenTheFirstMessageComesBack() throws Exception {
        UUID clientId = UUID.randomUUID();
        Api.Answer first = send(pair.a().token(), clientId, "once");
        Api.Answer retry = send(pair.a().token(), clientId, "once");
        assertEquals(201, retry.status());
        assertEquals(first.json(), retry.json());
        assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertFalse(first.headers().firstValue("Idempotent-Replayed").isPresent());
        assertEquals(1, page(pair.a().token(), "").size());

        Api.Answer partnerReuse = send(pair.b().token(), clientId, "sneaky");
        assertEquals(409, partnerReuse.status());
        assertEquals("client-id-taken", partnerReuse.json().get("code"));
    }

    @Test
    void givenBothPartnersSendingAtOnce_thenSeqIsGapFreeAndStrictlyIncreasing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Api.Answer>> sends = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String token = i % 2 == 0 ? pair.a().token() : pair.b().token();
                UUID clientId = UUID.randomUUID();
                String text = "m" + i;
                sends.add(() -> send(token, clientId, text));
                // Every fifth send is retried at the same moment: it must not take a seq of its own.
                if (i % 5 == 0) {
                    sends.add(() -> send(token, clientId, text));
                }
            }
            List<Long> seqs = new ArrayList<>();
            for (Future<Api.Answer> answer : pool.invokeAll(sends)) {
                assertEquals(201, answer.get().status(), answer.get().body());
                seqs.add(((Number) answer.get().json().get("seq")).longValue());
            }
            assertEquals(100, seqs.stream().distinct().count());
            List<Map<String, Object>> all = page(pair.a().token(), "?after=0&limit=200");
            assertEquals(100, all.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(i + 1, ((Number) all.get(i).get("seq")).intValue());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void givenManyMessages_thenKeysetPagesWalkBothWays() throws Exception {
        for (int i = 1; i <= 25; i++) {
            send(i % 2 == 0 ? pair.b().token() : pair.a().token(), UUID.randomUUID(), "message " + i);
        }
        Api.Answer newest = api.get("/v1/couple/messages?limit=10", pair.b().token());
        assertEquals(200, newest.status(), newest.body());
        assertEquals(List.of(25L, 24L, 23L, 22L, 21L, 20L, 19L, 18L, 17L, 16L), seqs(newest));
        assertEquals(true, newest.json().get("hasMore"));
        Api.Answer older =
                api.get("/v1/couple/messages?before=16&limit=10", pair.b().token());
        assertEquals(List.of(15L, 14L, 13L, 12L, 11L, 10L, 9L, 8L, 7L, 6L), seqs(older));
        Api.Answer oldest =
                api.get("/v1/couple/messages?before=6&limit=10", pair.b().token());
        assertEquals(List.of(5L, 4L, 3L, 2L, 1L), seqs(oldest));
        assertEquals(false, oldest.json().get("hasMore"));

        Api.Answer catchUp = api.get("/v1/couple/messages?after=20", pair.a().token());
        assertEquals(List.of(21L, 22L, 23L, 24L, 25L), seqs(catchUp));
        assertEquals(
                "message 21",
                ((List<Map<String, Object>>) catchUp.json().get("messages"))
                        .getFirst()
                        .get("text"));

        for (String bad : List.of("?before=1&after=2", "?limit=0", "?limit=201", "?before=-1", "?after=x")) {
            Api.Answer answer = api.get("/v1/couple/messages" + bad, pair.a().token());
            assertEquals(400, answer.status(), bad + " " + answer.body());
            assertTrue(answer.contentType().startsWith("application/problem+json"));
        }
    }

    @Test
    void givenTexts_thenNormalizedAndRefusedWhereTheyMustBe() throws Exception {
        // "é" as e + combining accent is stored as the single precomposed character.
        Api.Answer composed = send(pair.a().token(), UUID.randomUUID(), "  cafe\u0301\r\nsecond line\t!  ");
        assertEquals(201, composed.status(), composed.body());
        assertEquals("caf\u00e9\nsecond line\t!", composed.json().get("text"));
        assertEquals(
                201,
                send(pair.a().token(), UUID.randomUUID(), "😀".repeat(4000)).status());

        Map<String, String> refused = Map.of(
                "",
                "must not be empty",
                "   ",
                "must not be empty",
                "bell\u0007",
                "control characters",
                "nul\u0000",
                "control characters",
                "x".repeat(4001),
                "at most 4000",
                "lone \ud800 surrogate",
                "valid Unicode");
        for (var entry : refused.entrySet()) {
            Api.Answer answer = send(pair.a().token(), UUID.randomUUID(), entry.getKey());
            assertEquals(400, answer.status(), answer.body());
            assertEquals("validation-failed", answer.json().get("code"), answer.body());
            assertTrue(answer.body().contains("text") && answer.body().contains(entry.getValue()), answer.body());
        }
        Api.Answer noClientId =
                api.post("/v1/couple/messages", Map.of("text", "hi"), pair.a().token());
        assertEquals(400, noClientId.status());
        Api.Answer badClientId = api.post(
                "/v1/couple/messages",
                Map.of("clientId", "123", "text", "hi"),
                pair.a().token());
        assertEquals(400, badClientId.status());
        assertEquals(2, page(pair.a().token(), "").size());
    }

    @Test
    void givenReadMarkers_thenTheyOnlyMoveForward_andThePartnerIsTold() throws Exception {
        for (int i = 0; i < 5; i++) {
            send(pair.a().token(), UUID.randomUUID(), "m" + i);
        }
        Api.Answer read = api.post(
                "/v1/couple/messages/read", Map.of("upToSeq", 3), pair.b().token());
        assertEquals(200, read.status(), read.body());
        assertEquals(3, ((Number) read.json().get("readSeq")).intValue());
        String event = events.read(pair.a().id(), 0, 100).events().getLast();
        assertTrue(
                event.contains("\"type\":\"message.read\"")
                        && event.contains("\"upToSeq\":3")
                        && event.contains(pair.b().id().toString()),
                event);

        assertEquals(
                3,
                ((Number) api.post(
                                        "/v1/couple/messages/read",
                                        Map.of("upToSeq", 1),
                                        pair.b().token())
                                .json()
                                .get("readSeq"))
                        .intValue());
        // Beyond the last message the marker stops at the last message.
        assertEquals(
                5,
                ((Number) api.post(
                                        "/v1/couple/messages/read",
                                        Map.of("upToSeq", 99),
                                        pair.b().token())
                                .json()
                                .get("readSeq"))
                        .intValue());
        Api.Answer couple = api.get("/v1/couple", pair.a().token());
        assertEquals(5, ((Number) couple.json().get("partnerReadSeq")).intValue());
        assertEquals(0, ((Number) couple.json().get("readSeq")).intValue());
        assertEquals(5, ((Number) couple.json().get("lastSeq")).intValue());
        assertEquals(
                400,
                api.post(
                                "/v1/couple/messages/read",
                                Map.of("upToSeq", -1),
                                pair.b().token())
                        .status());
    }

    private Api.Answer send(String token, UUID clientId, String text) throws Exception {
        return api.post("/v1/couple/messages", Map.of("clientId", clientId.toString(), "text", text), token);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> page(String token, String query) throws Exception {
        Api.Answer answer = api.get("/v1/couple/messages" + query, token);
        assertEquals(200, answer.status(), answer.body());
        return (List<Map<String, Object>>) answer.json().get("messages");
    }

    @SuppressWarnings("unchecked")
    private static List<Long> seqs(Api.Answer answer) {
        return ((List<Map<String, Object>>) answer.json().get("messages"))
                .stream()
                        .map(message -> ((Number) message.get("seq")).longValue())
                        .toList();
    }
}
