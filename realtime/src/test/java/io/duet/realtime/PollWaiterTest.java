package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A held poll answers from the live events it was handed only when they continue the client's position. */
class PollWaiterTest {
    private static String event(long seq) {
        return "{\"seq\":" + seq + ",\"type\":\"nudge\",\"data\":{}}";
    }

    private static void hand(PollWaiter waiter, long seq) {
        waiter.event(seq, Unpooled.copiedBuffer(event(seq), StandardCharsets.UTF_8));
    }

    @Test
    void givenEventsThatFollowThePosition_thenTheyAreTheAnswerInSeqOrder_withoutWhatTheLogReadHadOrWhatFollowsAHole() {
        PollWaiter waiter = new PollWaiter(Long.MAX_VALUE);
        hand(waiter, 7);
        waiter.startAfter(7);
        assertFalse(waiter.woken().isDone(), "an event the log read already answered does not wake");
        hand(waiter, 9);
        hand(waiter, 8);
        hand(waiter, 11);

        assertTrue(waiter.woken().isDone());
        assertEquals(List.of(event(8), event(9)), waiter.liveAfter(7));
    }

    @Test
    void givenAHoleRightAfterThePosition_orEventsMissedOrTooMany_thenTheLogIsRead() {
        PollWaiter hole = new PollWaiter(3);
        hand(hole, 5);
        PollWaiter missed = new PollWaiter(3);
        hand(missed, 4);
        missed.wake();
        PollWaiter many = new PollWaiter(0);
        for (int seq = 1; seq <= PollWaiter.LIVE_MAX + 1; seq++) {
            hand(many, seq);
        }

        assertNull(hole.liveAfter(3));
        assertNull(missed.liveAfter(3), "after a re-subscribe the live stream may lack events");
        assertNull(many.liveAfter(0));
    }

    @Test
    void givenOnlyAnEphemeralEvent_thenItWakesButNothingLiveIsAnswered() {
        PollWaiter waiter = new PollWaiter(2);
        waiter.event(0, Unpooled.copiedBuffer("{\"seq\":0,\"type\":\"typing\",\"data\":{}}", StandardCharsets.UTF_8));

        assertTrue(waiter.woken().isDone());
        assertEquals(1, waiter.ephemeral().size());
        assertNull(waiter.liveAfter(2));
    }
}
