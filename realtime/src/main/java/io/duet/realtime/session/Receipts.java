package io.duet.realtime.session;

import io.duet.api.couple.CoupleService;
import io.duet.api.events.UserEvents;
import io.duet.api.redis.LuaScripts;
import io.duet.realtime.protocol.Frames;
import io.micronaut.core.type.Argument;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;

/**
 * Receipts. {@code ack} (a position in the user's own log) raises the user's ack marker in Redis; the
 * partner's messages among the newly acknowledged events make one {@code message.delivered} to the
 * partner, naming the highest message seq delivered. {@code read} (a message seq) is the API's read
 * marker, which publishes {@code message.read} itself.
 */
@Singleton
class Receipts {
    private static final String RAISE = LuaScripts.load(Receipts.class, "receipts-raise");
    /** Acknowledging far back in one frame reads at most this many events. */
    private static final int MAX_SCAN = 1000;

    private final RedissonClient redis;
    private final UserEvents events;
    private final CoupleService couples;
    private final ObjectMapper json;

    Receipts(RedissonClient redis, UserEvents events, CoupleService couples, ObjectMapper json) {
        this.redis = redis;
        this.events = events;
        this.couples = couples;
        this.json = json;
    }

    /** Blocking (Redis): call off the event loop. */
    void ack(UUID user, UUID partner, long upToSeq) {
        if (partner == null) {
            return;
        }
        long last = events.lastSeq(user);
        long upTo = Math.min(upToSeq, last);
        Long previous = redis.getScript()
                .eval(
                        RScript.Mode.READ_WRITE,
                        RAISE,
                        RScript.ReturnType.LONG,
                        List.of("duet:rt:{" + user + "}:acked"),
                        Long.toString(upTo),
                        Long.toString(Duration.ofDays(7).toMillis()));
        if (previous == null || previous < 0) {
            return;
        }
        long from = Math.max(previous, upTo - MAX_SCAN);
        UserEvents.Page page = events.read(user, from, (int) (upTo - from));
        long delivered = 0;
        for (String event : page.events()) {
            if (Frames.seqOf(event) > upTo || !event.contains("\"type\":\"message.created\"")) {
                continue;
            }
            try {
                Map<String, Object> parsed = json.readValue(event, Argument.mapOf(String.class, Object.class));
                if (parsed.get("data") instanceof Map<?, ?> data
                        && partner.toString().equals(data.get("senderId"))
                        && data.get("seq") instanceof Number seq) {
                    delivered = Math.max(delivered, seq.longValue());
                }
            } catch (IOException e) {
                // The log holds only JSON we wrote; an unreadable entry is skipped, not fatal.
            }
        }
        if (delivered > 0) {
            events.publish(
                    partner,
                    "message.delivered",
                    new DeliveredEvent(user, delivered, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        }
    }

    /** Moves the user's read marker (a message seq); the API tells both partners. Blocking (JDBC). */
    void read(UUID user, long upToSeq) {
        couples.markRead(couples.membership(user), upToSeq);
    }

    /** @param upToSeq the highest message seq (the couple's) the partner's device has received */
    @Serdeable
    record DeliveredEvent(UUID deliveredTo, long upToSeq, Instant at) {}
}
