package io.duet.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

/** Pairs two people through the real API, as their apps would. */
public final class Couples {
    private Couples() {}

    /** @param inviteCode the code b joined with (used up now) */
    public record Pair(People.Person a, People.Person b, String coupleId, String inviteCode) {}

    public static Pair pair(Api api, String nameA, String nameB) throws Exception {
        People.Person a = People.verified(nameA);
        People.Person b = People.verified(nameB);
        Api.Answer invite = api.post("/v1/couple/invites", Map.of(), a.token());
        assertEquals(201, invite.status(), invite.body());
        Api.Answer joined =
                api.post("/v1/couple/join", Map.of("code", invite.json().get("code")), b.token());
        assertEquals(201, joined.status(), joined.body());
        return new Pair(a, b, (String) joined.json().get("coupleId"), (String)
                invite.json().get("code"));
    }
}
