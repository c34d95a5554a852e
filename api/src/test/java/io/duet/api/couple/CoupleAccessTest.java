package io.duet.api.couple;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Couples;
import io.duet.api.testing.Jwts;
import io.duet.api.testing.People;
import io.duet.api.testing.TestDb;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every couple endpoint against every kind of caller who must not get in (or must get only their own
 * couple): the status and code each gets, and that no byte of the victim couple is in any answer.
 */
@MicronautTest(transactional = false)
class CoupleAccessTest {
    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    record Endpoint(String method, String path, Map<String, Object> body) {}

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/v1/couple", null),
            new Endpoint("POST", "/v1/couple/invites", Map.of()),
            new Endpoint("POST", "/v1/couple/join", Map.of("code", "VICTIM-CODE")),
            new Endpoint("POST", "/v1/couple/nudges", Map.of()),
            new Endpoint("GET", "/v1/couple/messages", null),
            new Endpoint("GET", "/v1/couple/messages?after=0", null),
            new Endpoint("GET", "/v1/couple/messages?before=3", null),
            new Endpoint("POST", "/v1/couple/messages", Map.of("clientId", "CLIENT-ID", "text", "intruder")),
            new Endpoint("POST", "/v1/couple/messages/read", Map.of("upToSeq", 2)),
            // Last: for the other couple it ends their own couple, and nothing of the victims'.
            new Endpoint("DELETE", "/v1/couple", null));

    @Test
    void givenOutsiders_whenTheyCallEveryCoupleEndpoint_thenRightStatusAndNothingOfTheVictims() throws Exception {
        Api api = new Api(server.getPort(), json);
        Couples.Pair victims = Couples.pair(api, "Victoria Secretname", "Viktor Hiddenname");
        UUID victimClientId = UUID.randomUUID();
        String secret = "our secret place " + UUID.randomUUID();
        assertEquals(
                201,
                api.post(
                                "/v1/couple/messages",
                                Map.of("clientId", victimClientId.toString(), "text", secret),
                                victims.a().token())
                        .status());
        api.post(
                "/v1/couple/messages",
                Map.of("clientId", UUID.randomUUID().toString(), "text", "second"),
                victims.b().token());
        // The code the victims paired with: used up, it must not let anyone into their couple.
        String victimInvite = victims.inviteCode();
        List<String> victimBytes = List.of(
                secret,
                victims.coupleId(),
                victims.a().id().toString(),
                victims.b().id().toString(),
                "Secretname",
                "Hiddenname");

        Couples.Pair others = Couples.pair(api, "Other One", "Other Two");
        People.Person unpaired = People.verified("Loner");
        People.Person unverified = People.unverified("Newbie");
        People.Person deleted = People.verified("Gone");
        assertEquals(202, api.delete("/v1/me", deleted.token()).status());
        String expired = Jwts.hs256(People.TEST_SECRET, victims.a().id(), -60);
        String forged = Jwts.hs256(
                "a-different-secret-0123456789-0123456789-abcdef", victims.a().id(), 600);

        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("other couple", others.a().token());
        callers.put("unpaired", unpaired.token());
        callers.put("unverified", unverified.token());
        callers.put("deleted account", deleted.token());
        callers.put("no token", null);
        callers.put("expired token of a victim", expired);
        callers.put("forged token of a victim", forged);

        List<String> failures = new ArrayList<>();
        for (var caller : callers.entrySet()) {
            for (Endpoint endpoint : ENDPOINTS) {
                Api.Answer answer = call(api, endpoint, caller.getValue(), victimInvite, victimClientId);
                String expected = expected(caller.getKey(), endpoint);
                String got = answer.status()
                        + (answer.contentType().startsWith("application/problem+json")
                                ? " " + answer.json().get("code")
                                : "");
                if (!got.equals(expected)) {
                    failures.add(caller.getKey() + " " + endpoint.method() + " " + endpoint.path() + ": expected "
                            + expected + ", got " + got + " " + answer.body());
                }
                for (String bytes : victimBytes) {
                    if (answer.body().contains(bytes)) {
                        failures.add(
                                caller.getKey() + " " + endpoint.method() + " " + endpoint.path() + " leaked " + bytes);
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));

        // The victims' couple is untouched by all of it: their two messages, still together, no read marker moved.
        Api.Answer view = api.get("/v1/couple", victims.a().token());
        assertEquals("active", view.json().get("status"));
        assertEquals(2, ((Number) view.json().get("lastSeq")).intValue());
        assertEquals(0, ((Number) view.json().get("partnerReadSeq")).intValue());
        assertFalse(api.get("/v1/couple/messages", victims.b().token()).body().contains("intruder"));
        assertEquals(
                2,
                TestDb.count(
                        "SELECT count(*) FROM couple_member WHERE couple_id = ?::uuid AND left_at IS NULL "
                                + "AND account_id IN (?, ?)",
                        victims.coupleId(),
                        victims.a().id(),
                        victims.b().id()));
    }

    /** What each caller must get: "status code" (the problem's code, if any). */
    private static String expected(String caller, Endpoint endpoint) {
        return switch (caller) {
            case "no token", "expired token of a victim", "forged token of a victim" -> "401 unauthorized";
            case "deleted account" -> "401 unauthorized";
            case "unverified" -> "403 email-not-verified";
            case "unpaired" ->
                switch (endpoint.path()) {
                    case "/v1/couple/invites" -> "201";
                    case "/v1/couple/join" -> "404 invite-not-found";
                    default -> "404 not-paired";
                };
            case "other couple" ->
                switch (endpoint.method() + " " + endpoint.path()) {
                    // An already-paired caller cannot create or use invites; everything else is their own couple.
                    case "POST /v1/couple/invites" -> "409 already-paired";
                    case "POST /v1/couple/join" -> "404 invite-not-found";
                    case "GET /v1/couple",
                            "GET /v1/couple/messages",
                            "GET /v1/couple/messages?after=0",
                            "GET /v1/couple/messages?before=3",
                            "POST /v1/couple/messages/read" -> "200";
                    case "POST /v1/couple/messages" -> "201";
                    case "POST /v1/couple/nudges" -> "202";
                    // Run last for this caller: unpairing their own couple only.
                    case "DELETE /v1/couple" -> "204";
                    default -> "unexpected";
                };
            default -> "unexpected caller";
        };
    }

    private static Api.Answer call(Api api, Endpoint endpoint, String token, String victimInvite, UUID victimClientId)
            throws Exception {
        Map<String, Object> body = endpoint.body() == null ? null : new LinkedHashMap<>(endpoint.body());
        if (body != null) {
            body.replaceAll((key, value) -> switch (String.valueOf(value)) {
                case "VICTIM-CODE" -> victimInvite;
                // The victims' client id: reused by another couple it must not hand over the victims' message.
                case "CLIENT-ID" -> victimClientId.toString();
                default -> value;
            });
        }
        return switch (endpoint.method()) {
            case "GET" -> api.get(endpoint.path(), token);
            case "DELETE" -> api.delete(endpoint.path(), token);
            default -> api.post(endpoint.path(), body, token);
        };
    }
}
