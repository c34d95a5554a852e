package io.duet.rehearsal;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The promotion's new users, as Gatling's open model (arrivals per second): sign up, read the mail from
 * the rehearsal's sink, verify, sign in; most upload an avatar; half pair up and chat and send a photo.
 * Every request that has an effect is a ledger line (see {@link Ledger}) for the checker; retries reuse
 * the request's Idempotency-Key or clientId, as the apps do. Settings come from system properties the
 * orchestrator sets ({@link LoadPlan#toProperties}).
 */
public class PromotionSimulation extends Simulation {
    private static final LoadPlan PLAN = LoadPlan.fromProperties();
    private static final Ledger LEDGER = Ledger.open(PLAN.ledger());
    private static final long MAIL_WAIT_MILLIS = Integer.getInteger("rehearsal.mailWait", 90) * 1000L;
    private static final byte[] JPEG = Images.jpeg(320, 320);
    /** Invite codes waiting for a partner: the first of two pairing users invites, the next one joins. */
    private static final ConcurrentLinkedQueue<String> INVITES = new ConcurrentLinkedQueue<>();

    private final HttpProtocolBuilder protocol = http.baseUrl(PLAN.api())
            .disableWarmUp()
            .acceptHeader("application/json")
            .header("X-Forwarded-For", "#{xff}")
            .userAgentHeader("duet-rehearsal")
            .check(header("Retry-After").optional().saveAs("retryAfter"));

    /**
     * One request with up to {@link Retries#TRIES} attempts that reuse its key, waiting between them as
     * {@link Retries#delay} says; one ledger line with the final outcome and every attempt's status ({@code error}
     * for a try without an answer), so a 500 the retry hid is still a 500.
     */
    private static ChainBuilder effect(String kind, String keyAttribute, ChainBuilder request, int... ok) {
        return CoreDsl.exec(s -> s.remove("st")
                        .remove("retryAfter")
                        .set("t0", System.currentTimeMillis())
                        .set("tries", ""))
                .tryMax(Retries.TRIES)
                .on(CoreDsl.doIf(s -> !s.getString("tries").isEmpty())
                        .then(CoreDsl.pause(PromotionSimulation::retryDelay))
                        // A try without an answer keeps "error" and must not report the status of the try before.
                        .exec(s -> {
                            String tries = s.getString("tries");
                            return s.remove("st")
                                    .remove("retryAfter")
                                    .set("tries", (tries.isEmpty() ? "" : tries + ",") + "error");
                        })
                        .exec(request)
                        .exec(s -> {
                            int status = s.contains("st") ? s.getInt("st") : 0;
                            if (status != 0) {
                                String tries = s.getString("tries");
                                s = s.set("tries", tries.substring(0, tries.length() - "error".length()) + status);
                            }
                            for (int code : ok) {
                                if (status == code) {
                                    return s;
                                }
                            }
                            return s.markAsFailed();
                        }))
                .exec(s -> {
                    int status = s.contains("st") ? s.getInt("st") : 0;
                    LEDGER.write(
                            kind,
                            s.getString(keyAttribute),
                            s.getLong("t0"),
                            System.currentTimeMillis(),
                            status == 0 ? "error" : Integer.toString(status),
                            s.getString("extra"),
                            s.getString("tries"));
                    boolean good = false;
                    for (int code : ok) {
                        good |= status == code;
                    }
                    return good ? s.markAsSucceeded() : s.markAsFailed();
                });
    }

    /** The wait before the next try: see {@link Retries#delay}. */
    private static Duration retryDelay(Session s) {
        return Retries.delay(
                s.contains("retryAfter") ? s.getString("retryAfter") : null,
                s.getString("tries").split(",").length);
    }

    private final ChainBuilder signUp = CoreDsl.exec(s -> {
                String id = UUID.randomUUID().toString();
                long n = s.userId();
                return s.set("email", "rh-" + id + "@rehearsal.duet.test")
                        .set("key", id)
                        .set("extra", "")
                        .set("xff", "10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255));
            })
            .exec(effect(
                    "signup",
                    "email",
                    CoreDsl.exec(http("signup")
                            .post("/v1/accounts")
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", "#{key}")
                            .body(
                                    StringBody(
                                            "{\"email\":\"#{email}\",\"password\":\"promotion-day-#{key}\",\"displayName\":\"Avocado fan\"}"))
                            .check(status().saveAs("st"))),
                    202))
            .exitHereIfFailed()
            // Read the mail from the sink, as the user would open their inbox (a user gives up after
            // rehearsal.mailWait seconds; whether the mail came at all is the checker's to say).
            .exec(s -> s.set("mailDeadline", System.currentTimeMillis() + MAIL_WAIT_MILLIS)
                    .remove("code"))
            .asLongAs(s -> !s.contains("code") && System.currentTimeMillis() < s.getLong("mailDeadline"))
            .on(CoreDsl.pause(Duration.ofMillis(700))
                    .exec(http("mail sink")
                            .get(PLAN.sink() + "/code?to=#{email}")
                            .check(status().in(200, 404), bodyString().saveAs("mailBody")))
                    .exec(s -> s.getString("mailBody") != null
                                    && s.getString("mailBody").matches("\\d{6}")
                            ? s.set("code", s.getString("mailBody"))
                            : s))
            .doIf(s -> s.contains("code"))
            .then(CoreDsl.exec(effect(
                            "verify",
                            "email",
                            CoreDsl.exec(http("verify")
                                    .post("/v1/accounts/verify")
                                    .header("Content-Type", "application/json")
                                    .body(StringBody("{\"email\":\"#{email}\",\"code\":\"#{code}\"}"))
                                    .check(status().saveAs("st"))),
                            200))
                    .pause(Duration.ofMillis(500))
                    .exec(effect(
                            "login",
                            "email",
                            CoreDsl.exec(http("login")
                                    .post("/v1/sessions")
                                    .header("Content-Type", "application/json")
                                    .body(StringBody("{\"email\":\"#{email}\",\"password\":\"promotion-day-#{key}\"}"))
                                    .check(
                                            status().saveAs("st"),
                                            jsonPath("$.accessToken").optional().saveAs("token"))),
                            200,
                            201)));

    private final ChainBuilder avatar = CoreDsl.doIf(s -> s.contains("token") && s.userId() % 5 != 0)
            .then(CoreDsl.exec(s -> s.set("mediaKey", UUID.randomUUID().toString()))
                    .exec(effect(
                            "avatar",
                            "mediaKey",
                            CoreDsl.exec(http("avatar")
                                    .post("/v1/media?kind=avatar")
                                    .header("Idempotency-Key", "#{mediaKey}")
                                    .header("Authorization", "Bearer #{token}")
                                    .header("Content-Type", "image/jpeg")
                                    .body(ByteArrayBody(JPEG))
                                    .check(
                                            status().saveAs("st"),
                                            jsonPath("$.id").optional().saveAs("extra"))),
                            202)));

    private final ChainBuilder pairAndChat = CoreDsl.doIf(s -> s.contains("token") && s.userId() % 2 == 0)
            .then(CoreDsl.exec(s -> {
                        String code = INVITES.poll();
                        return code == null ? s.remove("joinCode") : s.set("joinCode", code);
                    })
                    .doIfOrElse(s -> s.contains("joinCode"))
                    .then(CoreDsl.exec(effect(
                                    "join",
                                    "email",
                                    CoreDsl.exec(http("join")
                                            .post("/v1/couple/join")
                                            .header("Authorization", "Bearer #{token}")
                                            .header("Content-Type", "application/json")
                                            .body(StringBody("{\"code\":\"#{joinCode}\"}"))
                                            .check(status().saveAs("st"))),
                                    201))
                            .repeat(3)
                            .on(CoreDsl.pause(Duration.ofMillis(600))
                                    .exec(s ->
                                            s.set("clientId", UUID.randomUUID().toString()))
                                    .exec(effect(
                                            "message",
                                            "clientId",
                                            CoreDsl.exec(http("message")
                                                    .post("/v1/couple/messages")
                                                    .header("Authorization", "Bearer #{token}")
                                                    .header("Content-Type", "application/json")
                                                    .body(
                                                            StringBody(
                                                                    "{\"clientId\":\"#{clientId}\",\"text\":\"See you at the Avocado stand!\"}"))
                                                    .check(
                                                            status().saveAs("st"),
                                                            jsonPath("$.seq")
                                                                    .optional()
                                                                    .saveAs("seq"))),
                                            201)))
                            .exec(s -> s.set("mediaKey", UUID.randomUUID().toString()))
                            .exec(effect(
                                    "photo",
                                    "mediaKey",
                                    CoreDsl.exec(http("photo")
                                            .post("/v1/media?kind=photo")
                                            .header("Idempotency-Key", "#{mediaKey}")
                                            .header("Authorization", "Bearer #{token}")
                                            .header("Content-Type", "image/jpeg")
                                            .body(ByteArrayBody(JPEG))
                                            .check(
                                                    status().saveAs("st"),
                                                    jsonPath("$.id").optional().saveAs("extra"))),
                                    202))
                            .exec(http("history")
                                    .get("/v1/couple/messages?limit=20")
                                    .header("Authorization", "Bearer #{token}")
                                    .check(status().in(200)))
                            .doIf(s -> s.contains("seq"))
                            .then(CoreDsl.exec(http("read")
                                    .post("/v1/couple/messages/read")
                                    .header("Authorization", "Bearer #{token}")
                                    .header("Content-Type", "application/json")
                                    .body(StringBody("{\"upToSeq\":#{seq}}"))
                                    .check(status().in(200, 204)))))
                    .orElse(CoreDsl.exec(http("invite")
                                    .post("/v1/couple/invites")
                                    .header("Authorization", "Bearer #{token}")
                                    .header("Content-Type", "application/json")
                                    .body(StringBody("{}"))
                                    .check(status().is(201), jsonPath("$.code").saveAs("inviteCode")))
                            .exec(s -> {
                                INVITES.offer(s.getString("inviteCode"));
                                return s;
                            })));

    private final ScenarioBuilder newUsers =
            scenario("promotion signups").exec(signUp).exec(avatar).exec(pairAndChat);

    {
        double usual = PLAN.usualPerSecond();
        double peak = usual * PLAN.spikeFactor();
        setUp(newUsers.injectOpen(
                        constantUsersPerSec(usual).during(Duration.ofSeconds(PLAN.steadySeconds())),
                        rampUsersPerSec(usual).to(peak).during(Duration.ofSeconds(PLAN.rampSeconds())),
                        constantUsersPerSec(peak).during(Duration.ofSeconds(PLAN.peakSeconds())),
                        rampUsersPerSec(peak).to(usual).during(Duration.ofSeconds(PLAN.rampSeconds())),
                        constantUsersPerSec(usual).during(Duration.ofSeconds(PLAN.steadySeconds()))))
                .protocols(protocol);
    }

    @Override
    public void after() {
        LEDGER.close();
    }
}
