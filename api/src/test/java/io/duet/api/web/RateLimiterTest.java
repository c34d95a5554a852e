package io.duet.api.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** The limiter's counters in the real Redis: several limits checked in one round trip, in order. */
@MicronautTest(startApplication = false)
class RateLimiterTest {
    @Inject
    RateLimiter limiter;

    @Inject
    RedissonClient redis;

    /** A client's limit per minute, then an address's per hour, on fresh keys. */
    private static List<RateLimiter.Limit> clientThenAddress(int perMinute, int perHour) {
        return List.of(
                new RateLimiter.Limit("test:ip:" + UUID.randomUUID(), perMinute, Duration.ofMinutes(1)),
                new RateLimiter.Limit("test:address:" + UUID.randomUUID(), perHour, Duration.ofHours(1)));
    }

    @Test
    void givenTwoLimits_whenTheSecondIsExceeded_thenRefusedWithItsWindowAndBothCounted() {
        List<RateLimiter.Limit> limits = clientThenAddress(10, 2);
        String ip = limits.get(0).key();
        String address = limits.get(1).key();
        limiter.hitAll(limits);
        limiter.hitAll(limits);

        TooManyRequestsException refused = assertThrows(TooManyRequestsException.class, () -> limiter.hitAll(limits));

        long retryAfter = Long.parseLong(refused.headers().get("Retry-After"));
        assertTrue(
                retryAfter > 59 * 60 && retryAfter <= 3600,
                "the address's hour, not the client's minute: " + retryAfter);
        assertEquals(3, limiter.peek(ip));
        assertEquals(3, limiter.peek(address));
        long ttl = redis.getBucket("duet:rl:" + ip).remainTimeToLive();
        assertTrue(ttl > 0 && ttl <= 60_000, "the client's window expires with its minute: " + ttl);
    }

    @Test
    void givenTwoLimits_whenTheFirstIsExceeded_thenTheSecondIsNotCounted() {
        List<RateLimiter.Limit> limits = clientThenAddress(1, 5);
        String ip = limits.get(0).key();
        String address = limits.get(1).key();
        limiter.hitAll(limits);

        TooManyRequestsException refused = assertThrows(TooManyRequestsException.class, () -> limiter.hitAll(limits));

        long retryAfter = Long.parseLong(refused.headers().get("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "the client's minute: " + retryAfter);
        assertEquals(2, limiter.peek(ip));
        assertEquals(1, limiter.peek(address), "a refused hit does not use up the address's allowance");
    }
}
