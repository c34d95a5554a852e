package io.duet.realtime;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A held long-poll: woken by the first live event after its position, an ephemeral event or a drain. */
final class PollWaiter implements Subscriber {
    private volatile long after;
    private final CompletableFuture<Void> woken = new CompletableFuture<>();
    private final List<String> ephemeral = new ArrayList<>();
    private volatile String reconnect;
    /** The highest seq seen live, for {@link #startAfter}. */
    private volatile long newest;

    PollWaiter(long after) {
        this.after = after;
    }

    /**
     * Sets the position once the log has been read ({@code after} given at construction may be
     * {@code Long.MAX_VALUE}: "not known yet"). An event that arrived meanwhile is after it if its seq is.
     */
    void startAfter(long position) {
        after = position;
        if (newest > position) {
            woken.complete(null);
        }
    }

    CompletableFuture<Void> woken() {
        return woken;
    }

    @Override
    public void event(long seq, ByteBuf json) {
        if (seq == 0) {
            synchronized (ephemeral) {
                ephemeral.add(json.toString(StandardCharsets.UTF_8));
            }
            woken.complete(null);
        } else {
            newest = Math.max(newest, seq);
            if (seq > after) {
                woken.complete(null);
            }
        }
    }

    /** Live events may have been missed (fan-out re-subscribed): answer, so the client reads the log again. */
    void wake() {
        woken.complete(null);
    }

    void reconnect(long delayMs) {
        reconnect = Frames.reconnect(delayMs, CloseCode.SHUTTING_DOWN.reason());
        woken.complete(null);
    }

    String reconnectEvent() {
        return reconnect;
    }

    List<String> ephemeral() {
        synchronized (ephemeral) {
            return new ArrayList<>(ephemeral);
        }
    }
}
