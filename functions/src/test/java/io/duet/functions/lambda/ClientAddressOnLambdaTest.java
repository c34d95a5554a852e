package io.duet.functions.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.duet.api.testing.HttpApiEvents;
import io.duet.api.testing.Smtp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-address rate limits inside Lambda: the caller is the event's {@code requestContext.http.sourceIp},
 * not the function's own address, so a promotion's many callers are many buckets and one caller is one.
 * Real API Gateway v2 events through the signup function, with a limit of five signups a minute.
 */
class ClientAddressOnLambdaTest {
    private static final int LIMIT = 5;

    @RegisterExtension
    static final GreenMailExtension MAIL = Smtp.server();

    static SignUpHandler signUp;

    @BeforeAll
    static void start() {
        Map<String, Object> properties = new HashMap<>(SignUpHandler.PROPERTIES);
        properties.put("duet.rate-limits.signup-per-ip", LIMIT);
        signUp = new SignUpHandler(TestFunctions.start(properties));
    }

    @AfterAll
    static void stop() {
        signUp.close();
    }

    @Test
    void givenSignupsFromManySourceAddresses_whenEachSignsUpOnce_thenNoneIsLimited() {
        String network = randomIpv4Network();

        List<Integer> statuses = new ArrayList<>();
        for (int i = 1; i <= 3 * LIMIT; i++) {
            statuses.add(signUpFrom(network + i, Map.of()).getStatusCode());
        }

        assertEquals(
                List.of(), statuses.stream().filter(status -> status != 202).toList());
    }

    @Test
    void givenOneSourceAddress_whenOverTheLimit_thenTooManyRequestsWithRetryAfter() {
        String address = randomIpv4Network() + "9";

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < LIMIT + 2; i++) {
            statuses.add(signUpFrom(address, Map.of()).getStatusCode());
        }

        assertEquals(List.of(202, 202, 202, 202, 202, 429, 429), statuses);
        APIGatewayV2HTTPResponse limited = signUpFrom(address, Map.of());
        assertEquals(429, limited.getStatusCode());
        assertEquals("application/problem+json", FunctionHandlersTest.contentType(limited));
    }

    @Test
    void givenOneUntrustedSource_whenItForgesForwardedForHeaders_thenStillOneBucket() {
        String address = randomIpv4Network() + "10";

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < LIMIT + 1; i++) {
            statuses.add(signUpFrom(address, Map.of("X-Forwarded-For", "192.0.2." + i))
                    .getStatusCode());
        }

        assertEquals(429, statuses.getLast());
    }

    @Test
    void givenIpv6Sources_whenTheyShareA64_thenOneBucket() {
        String network =
                "2001:db8:" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000)) + ":"
                        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000)) + "::";

        List<Integer> statuses = new ArrayList<>();
        for (int i = 1; i <= LIMIT + 1; i++) {
            statuses.add(signUpFrom(network + Integer.toHexString(i * 4099), Map.of())
                    .getStatusCode());
        }

        assertEquals(429, statuses.getLast(), statuses.toString());
    }

    private static APIGatewayV2HTTPResponse signUpFrom(String sourceIp, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Content-Type", "application/json");
        String json = HttpApiEvents.json(
                "POST", "/v1/accounts", all, FunctionHandlersTest.signUpBody(FunctionHandlersTest.fresh()), sourceIp);
        return signUp.handleRequest(LambdaEvents.event(json), TestLambdaContext.withTimeout(Duration.ofSeconds(30)));
    }

    /** A fresh 10.x.y. prefix per test, so a rerun within the limit's minute starts with empty buckets. */
    private static String randomIpv4Network() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + ".";
    }
}
