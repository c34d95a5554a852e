package io.duet.realtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.events.UserEvents;
import io.duet.realtime.protocol.CloseCode;
import io.duet.realtime.protocol.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The session on its own: an in-memory log, live events handed in by hand, and a transport that records
 * what it was given. The blocking executor runs tasks at once, so each step's effect is visible when it
 * returns. What both real transports do with these frames is in the gateway tests.
 */
class SessionTest {
    private static final UUID USER = UUID.randomUUID();

    /** The user's log: seq → event; {@code from} is the oldest seq it still holds. */
    private static final class Log implements Session.Log {
        final TreeMap<Long, String> events = new TreeMap<>();
        long from = 1;
        /** The next read sees events up to this seq only (an append racing with it), then all again. */
        long nextReadUpTo = Long.MAX_VALUE;

        final AtomicInteger reads = new AtomicInteger();

        Log upTo(long last) {
            for (long seq = events.isEmpty() ? 1 : events.lastKey() + 1; seq <= last; seq++) {
                events.put(seq, event(seq));
            }
            return this;
        }

        @Override
        public UserEvents.Page read(UUID user, long afterSeq, int limit) {
            reads.incrementAndGet();
            long last = events.isEmpty() ? 0 : events.lastKey();
            // trimmed past the position, or a seq the log never reached (it started again)
            if ((afterSeq + 1 < from && afterSeq < last) || afterSeq > last) {
                return new UserEvents.Page(List.of(), last, true);
            }
            List<String> page = new ArrayList<>(events.subMap(afterSeq, false, nextReadUpTo, true).values().stream()
                    .limit(limit)
                    .toList());
            nextReadUpTo = Long.MAX_VALUE;
            return new UserEvents.Page(page, last, false);
        }

        @Override
        public long lastSeq(UUID user) {
            return events.isEmpty() ? 0 : events.lastKey();
        }
    }

    private static final class Recorder implements Session.Transport {
        final List<String> sent = new ArrayList<>();
        String ended;

        @Override
        public void send(Object frame) {
            if (frame instanceof ByteBuf bytes) {
                sent.add(bytes.toString(StandardCharsets.UTF_8));
                bytes.release();
            } else {
                sent.add((String) frame);
            }
        }

        @Override
        public void reconnect(CloseCode code, long delayMs) {
            ended = "reconnect " + code.code() + " after " + delayMs;
        }

        @Override
        public void close(CloseCode code, long retryMs) {
            ended = "close " + code.code();
        }

        List<Long> seqs() {
            return sent.stream().map(Frames::seqOf).toList();
        }
    }

    private static String event(long seq) {
        return "{\"seq\":" + seq + ",\"type\":\"nudge\",\"data\":{}}";
    }

    private final Log log = new Log();
    private final Recorder client = new Recorder();
    private final Session session = new Session(USER, null, log, Runnable::run, () -> 1234);

    {
        session.carriedBy(client);
    }

    private void live(long seq) {
        ByteBuf json = Unpooled.copiedBuffer(
                seq == 0 ? "{\"seq\":0,\"type\":\"typing\",\"data\":{}}" : event(seq), StandardCharsets.UTF_8);
        try {
            session.event(seq, json);
        } finally {
            json.release();
        }
    }

    @Nested
    class Resume {
        @Test
        void givenAPosition_thenTheLogAfterItIsSentInOrder_andLiveEventsFollowWithoutAGap() {
            log.upTo(5);
            session.start(2L);
            live(6);
            live(7);

            assertEquals(List.of(3L, 4L, 5L, 6L, 7L), client.seqs());
            assertTrue(session.live());
        }

        @Test
        void givenNoPosition_thenDeliveryStartsFromNow() {
            log.upTo(5);
            session.start(null);
            live(6);

            assertEquals(List.of(6L), client.seqs());
        }

        @Test
        void givenMoreThanAPage_thenItIsReadPageByPage() {
            log.upTo(Session.PAGE * 2 + 10);
            session.start(0L);

            assertEquals(Session.PAGE * 2 + 10, client.sent.size());
            assertEquals(3, log.reads.get());
        }
    }

    @Nested
    class LiveEventsDuringTheCatchUp {
        @Test
        void givenEventsArrivingBeforeTheLogIsRead_thenTheyAreHeldBack_andSentOnceInOrder() {
            log.upTo(3);
            live(3); // appended before the read: the log has it too
            live(4); // appended after the read
            session.start(1L);

            assertEquals(List.of(2L, 3L, 4L), client.seqs());
        }

        @Test
        void givenAHeldBackEventAfterAHole_thenTheLogIsReadAgain() {
            log.upTo(6);
            log.nextReadUpTo = 3; // the first read sees 1..3
            live(6); // 4 and 5 were appended but their live copies were lost
            session.start(0L);

            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), client.seqs());
            assertEquals(2, log.reads.get());
        }

        @Test
        void givenTooManyHeldBack_thenTheRestComesFromTheLog() {
            log.upTo(1);
            for (long seq = 2; seq <= Session.MAX_HELD_BACK + 2; seq++) {
                live(seq);
            }
            log.upTo(Session.MAX_HELD_BACK + 2);
            session.start(0L);

            assertEquals(Session.MAX_HELD_BACK + 2, client.sent.size());
            for (int i = 0; i < client.sent.size(); i++) {
                assertEquals(i + 1, client.seqs().get(i));
            }
        }

        @Test
        void givenAnEphemeralEventDuringTheCatchUp_thenItIsDropped_andAfterwardsSent() {
            log.upTo(1);
            live(0);
            session.start(0L);
            live(0);

            assertEquals(List.of(1L, 0L), client.seqs());
        }
    }

    @Nested
    class Live {
        @Test
        void givenALiveEventThatSkipsASeq_thenTheMissingOnesComeFromTheLog() {
            log.upTo(2);
            session.start(2L);
            log.upTo(5);
            live(5); // 3 and 4 were lost on the way

            assertEquals(List.of(3L, 4L, 5L), client.seqs());
        }

        @Test
        void givenADuplicateLiveEvent_thenItIsNotSentTwice() {
            log.upTo(2);
            session.start(0L);
            log.upTo(3);
            live(3);
            live(3);

            assertEquals(List.of(1L, 2L, 3L), client.seqs());
        }

        @Test
        void givenARecheck_thenEventsMissedWhileTheFanoutWasAwayAreRead() {
            log.upTo(1);
            session.start(1L);
            log.upTo(3);
            session.recheck();

            assertEquals(List.of(2L, 3L), client.seqs());
        }
    }

    @Nested
    class Reset {
        @Test
        void givenAPositionTheLogNoLongerHolds_thenResetToItsLastSeq_thenLiveEvents() {
            log.upTo(50);
            log.from = 40;
            session.start(10L);
            live(51);

            assertEquals(List.of("{\"seq\":50,\"type\":\"reset\",\"data\":{\"lastSeq\":50}}", event(51)), client.sent);
        }

        @Test
        void givenTheLogStartedAgain_whenALiveEventIsAtOrBelowThePosition_thenReset() {
            log.upTo(5);
            session.start(5L);
            log.events.clear(); // Redis lost the log; appends start again from 1
            log.upTo(2);
            live(2);

            assertEquals("{\"seq\":2,\"type\":\"reset\",\"data\":{\"lastSeq\":2}}", client.sent.getFirst());
        }
    }

    @Nested
    class Ending {
        @Test
        void givenAReconnect_thenTheTransportIsToldOnce_andNothingIsSentAfter() {
            log.upTo(1);
            session.start(0L);
            session.reconnect(CloseCode.SHUTTING_DOWN, 700);
            session.reconnect(CloseCode.SHUTTING_DOWN, 900);
            session.close(CloseCode.UNAUTHORIZED, 0);
            live(2);

            assertEquals("reconnect 4001 after 700", client.ended);
            assertEquals(List.of(1L), client.seqs());
        }

        @Test
        void givenTheLogUnreachable_thenTheClientIsToldToComeBack() {
            Session failing = new Session(
                    USER,
                    null,
                    new Session.Log() {
                        @Override
                        public UserEvents.Page read(UUID user, long afterSeq, int limit) {
                            throw new IllegalStateException("Redis is away");
                        }

                        @Override
                        public long lastSeq(UUID user) {
                            return 0;
                        }
                    },
                    Runnable::run,
                    () -> 1234);
            Recorder transport = new Recorder();
            failing.carriedBy(transport);
            failing.start(0L);

            assertEquals("reconnect 4001 after 1234", transport.ended);
        }
    }
}
