package io.duet.api.couple;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.People;
import io.duet.api.testing.TestDb;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
class PairingTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Inject
    UserEvents events;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(server.getPort(), json);
    }

    @Test
    void givenInvite_whenPartnerJoins_thenBothSeeTheCoupleAndAreTold() throws Exception {
        People.Person ada = People.verified("Ada");
        People.Person bo = People.verified("Bo");
        Api.Answer invite = api.post("/v1/couple/invites", Map.of(), ada.token());
        assertEquals(201, invite.status(), invite.body());
        String code = (String) invite.json().get("code");
        assertTrue(code.matches("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"), code);
        assertTrue(invite.json().get("expiresAt") != null);

        // Typed the way people type: lower case, no dash, O for 0 and L for 1.
        String typed = code.toLowerCase().replace("-", " ").replace('0', 'o').replace('1', 'l');
        Api.Answer joined = api.post("/v1/couple/join", Map.of("code", typed), bo.token());
        assertEquals(201, joined.status(), joined.body());
        assertEquals(
                Map.of("id", ada.id().toString(), "displayName", "Ada"),
                joined.json().get("partner"));

        Api.Answer adaView = api.get("/v1/couple", ada.token());
        Api.Answer boView = api.get("/v1/couple", bo.token());
        assertEquals(200, adaView.status(), adaView.body());
        assertEquals(joined.json().get("coupleId"), adaView.json().get("coupleId"));
        assertEquals(joined.json().get("coupleId"), boView.json().get("coupleId"));
        assertEquals(
                Map.of("id", bo.id().toString(), "displayName", "Bo"),
                adaView.json().get("partner"));
        assertEquals("active", adaView.json().get("status"));
        assertEquals("local", adaView.json().get("homeRegion"));
        assertEquals("ws://localhost:8080/v1/realtime", adaView.json().get("gatewayUrl"));
        assertEquals(adaView.json().get("since"), boView.json().get("since"));

        assertTrue(lastEvent(ada).contains("\"type\":\"couple.joined\"")
                && lastEvent(ada).contains(bo.id().toString()));
        assertTrue(lastEvent(bo).contains("\"type\":\"couple.joined\"")
                && lastEvent(bo).contains(ada.id().toString()));

        // The code is used up, and both now have their couple.
        Api.Answer again = api.post(
                "/v1/couple/join", Map.of("code", code), People.verified("Cy").token());
        assertEquals(404, again.status());
        assertEquals("invite-not-found", again.json().get("code"));
        Api.Answer secondInvite = api.post("/v1/couple/invites", Map.of(), bo.token());
        assertEquals(409, secondInvite.status());
        assertEquals("already-paired", secondInvite.json().get("code"));
    }

    @Test
    void givenBadCodes_whenJoining_thenClearProblems() throws Exception {
        People.Person ada = People.verified("Ada");
        String code = (String)
                api.post("/v1/couple/invites", Map.of(), ada.token()).json().get("code");
        Api.Answer own = api.post("/v1/couple/join", Map.of("code", code), ada.token());
        assertEquals(409, own.status());
        assertEquals("own-invite", own.json().get("code"));
        for (String wrong : List.of("ZZZZ-ZZZZ", "not a code", "ABCD-EFG", "ÄBCD-EFGH")) {
            Api.Answer answer = api.post(
                    "/v1/couple/join",
                    Map.of("code", wrong),
                    People.verified("Bo").token());
            assertEquals(404, answer.status(), wrong);
            assertEquals("invite-not-found", answer.json().get("code"));
        }
        Api.Answer blank = api.post(
                "/v1/couple/join", Map.of("code", " "), People.verified("Bo").token());
        assertEquals(400, blank.status());
    }

    @Test
    void givenNewInvite_thenTheOldCodeIsDead_andExpiredCodesToo() throws Exception {
        People.Person ada = People.verified("Ada");
        String first = (String)
                api.post("/v1/couple/invites", Map.of(), ada.token()).json().get("code");
        String second = (String)
                api.post("/v1/couple/invites", Map.of(), ada.token()).json().get("code");
        assertNotEquals(first, second);
        assertEquals(
                404,
                api.post(
                                "/v1/couple/join",
                                Map.of("code", first),
                                People.verified("Bo").token())
                        .status());

        TestDb.execute("UPDATE couple_invite SET expires_at = now() - interval '1 second' WHERE account_id = '"
                + ada.id() + "'");
        assertEquals(
                404,
                api.post(
                                "/v1/couple/join",
                                Map.of("code", second),
                                People.verified("Bo").token())
                        .status());
    }

    @Test
    void givenUnpair_thenEndedForBoth_historyReadOnly_andBothCanPairAgain() throws Exception {
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        Api.Answer sent = api.post(
                "/v1/couple/messages",
                Map.of("clientId", java.util.UUID.randomUUID().toString(), "text", "hi"),
                pair.a().token());
        assertEquals(201, sent.status(), sent.body());

        assertEquals(204, api.delete("/v1/couple", pair.b().token()).status());
        for (People.Person person : List.of(pair.a(), pair.b())) {
            Api.Answer view = api.get("/v1/couple", person.token());
            assertEquals("ended", view.json().get("status"), view.body());
            assertTrue(lastEvent(person).contains("\"type\":\"couple.ended\""));
            Api.Answer history = api.get("/v1/couple/messages", person.token());
            assertEquals(200, history.status());
            assertTrue(history.body().contains("\"hi\""));
            Api.Answer write = api.post(
                    "/v1/couple/messages",
                    Map.of("clientId", java.util.UUID.randomUUID().toString(), "text", "x"),
                    person.token());
            assertEquals(409, write.status());
            assertEquals("couple-ended", write.json().get("code"));
            assertEquals(
                    409, api.post("/v1/couple/nudges", Map.of(), person.token()).status());
        }
        assertEquals(404, api.delete("/v1/couple", pair.a().token()).status());

        // A new couple takes over as the caller's couple; the old history is no longer what they see.
        People.Person cy = People.verified("Cy");
        String code = (String) api.post("/v1/couple/invites", Map.of(), pair.a().token())
                .json()
                .get("code");
        assertEquals(
                201,
                api.post("/v1/couple/join", Map.of("code", code), cy.token()).status());
        Api.Answer fresh = api.get("/v1/couple/messages", pair.a().token());
        assertEquals(List.of(), fresh.json().get("messages"));

        // After the grace period the sweep purges the ended couple and its messages.
        TestDb.execute("UPDATE couple SET ended_at = now() - interval '31 days' WHERE id = '" + pair.coupleId() + "'");
        TestDb.execute("UPDATE couple_member SET left_at = now() - interval '31 days' WHERE couple_id = '"
                + pair.coupleId() + "'");
        assertEquals(404, api.get("/v1/couple", pair.b().token()).status());
        server.getApplicationContext().getBean(CoupleService.class).sweep();
        assertEquals(0, TestDb.count("SELECT count(*) FROM message WHERE couple_id = ?::uuid", pair.coupleId()));
        assertEquals(0, TestDb.count("SELECT count(*) FROM couple WHERE id = ?::uuid", pair.coupleId()));
    }

    @Test
    void givenDeletedAccount_thenPartnerIsToldAndTheCoupleEnds() throws Exception {
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        assertEquals(202, api.delete("/v1/me", pair.a().token()).status());
        Api.Answer view = api.get("/v1/couple", pair.b().token());
        assertEquals("ended", view.json().get("status"));
        String event = lastEvent(pair.b());
        assertTrue(event.contains("\"type\":\"couple.ended\"") && event.contains("account-deleted"), event);
        assertEquals(401, api.get("/v1/couple", pair.a().token()).status());
    }

    @Test
    void givenRacingJoins_thenEachAccountEndsInOneCouple() throws Exception {
        // Four people invite; one joiner tries all four codes at once, and four joiners try one code at once.
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            People.Person joiner = People.verified("Jo");
            List<Callable<Integer>> joins = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String code = (String) api.post(
                                "/v1/couple/invites",
                                Map.of(),
                                People.verified("In" + i).token())
                        .json()
                        .get("code");
                joins.add(() -> api.post("/v1/couple/join", Map.of("code", code), joiner.token())
                        .status());
            }
            assertEquals(
                    1,
                    statuses(pool.invokeAll(joins)).stream()
                            .filter(s -> s == 201)
                            .count());
            assertEquals(
                    1,
                    TestDb.count(
                            "SELECT count(*) FROM couple_member WHERE account_id = ? AND left_at IS NULL",
                            joiner.id()));

            People.Person inviter = People.verified("Ina");
            String code = (String) api.post("/v1/couple/invites", Map.of(), inviter.token())
                    .json()
                    .get("code");
            List<Callable<Integer>> racers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                People.Person racer = People.verified("R" + i);
                racers.add(() -> api.post("/v1/couple/join", Map.of("code", code), racer.token())
                        .status());
            }
            List<Integer> statuses = statuses(pool.invokeAll(racers));
            assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
            assertTrue(statuses.stream().allMatch(s -> s == 201 || s == 404), statuses.toString());
            assertEquals(
                    1,
                    TestDb.count(
                            "SELECT count(*) FROM couple_member WHERE account_id = ? AND left_at IS NULL",
                            inviter.id()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void givenTheDatabase_thenASecondActiveCoupleIsImpossible() throws Exception {
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        java.sql.SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(
                java.sql.SQLException.class,
                () -> TestDb.execute("INSERT INTO couple (id, home_region, created_at) VALUES ('"
                        + java.util.UUID.randomUUID() + "', 'local', now());"
                        + "INSERT INTO couple_member (couple_id, account_id, joined_at) SELECT id, '"
                        + pair.a().id() + "', now() FROM couple ORDER BY created_at DESC LIMIT 1"));
        assertEquals("23505", refused.getSQLState());
    }

    @Test
    void givenNudges_thenPartnerIsTold_andTheLimitHolds() throws Exception {
        Couples.Pair pair = Couples.pair(api, "Ada", "Bo");
        Api.Answer nudge = api.post("/v1/couple/nudges", Map.of(), pair.a().token());
        assertEquals(202, nudge.status(), nudge.body());
        String event = lastEvent(pair.b());
        assertTrue(
                event.contains("\"type\":\"nudge\"")
                        && event.contains(pair.a().id().toString()),
                event);
        int accepted = 1;
        Api.Answer last = nudge;
        while (last.status() == 202 && accepted < 50) {
            last = api.post("/v1/couple/nudges", Map.of(), pair.a().token());
            accepted += last.status() == 202 ? 1 : 0;
        }
        assertEquals(10, accepted);
        assertEquals(429, last.status());
        assertTrue(last.headers().firstValue("Retry-After").isPresent());
    }

    private String lastEvent(People.Person person) {
        List<String> log = events.read(person.id(), 0, 1000).events();
        assertTrue(!log.isEmpty(), "no events for " + person.displayName());
        return log.getLast();
    }

    private static List<Integer> statuses(List<Future<Integer>> futures) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> future : futures) {
            statuses.add(future.get());
        }
        return statuses;
    }
}
