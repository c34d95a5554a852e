package io.duet.realtime;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A held long-poll: woken by the first live event after its position, an ephemeral event or a drain.
 * It keeps the live events it was handed, so that a poll woken by the events that follow the client's
 * position answers with them, without reading the log again; anything else (a gap, too many) is read
 * from the log, which has every event.
 */
final class PollWaiter implements Subscriber {
    /** Live events kept at most; past that the answer comes from the log. */
    static final int LIVE_MAX = 100;

    private volatile long after;
    private final CompletableFuture<Void> woken = new CompletableFuture<>();
    /** Guarded by itself, with {@link #live} and {@link #overflowed}. */
    private final List<String> ephemeral = new ArrayList<>();

    private final TreeMap<Long, String> live = new TreeMap<>();
    private boolean overflowed;
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
            return;
        }
        synchronized (ephemeral) {
            if (live.size() < LIVE_MAX) {
                live.put(seq, json.toString(StandardCharsets.UTF_8));
            } else {
                overflowed = true;
            }
        }
        newest = Math.max(newest, seq);
        if (seq > after) {
            woken.complete(null);
        }
    }

    /**
     * The live events that continue {@code position} without a hole ({@code position + 1}, {@code + 2}, ...),
     * in order; null when they do not start right after it or some were not kept: the log has them.
     */
    List<String> liveAfter(long position) {
        synchronized (ephemeral) {
            if (overflowed) {
                return null;
            }
            List<String> events = new ArrayList<>();
            long next = position + 1;
            for (var entry : live.tailMap(next, true).entrySet()) {
                if (entry.getKey() != next) {
                    break;
                }
                events.add(entry.getValue());
                next++;
            }
            return events.isEmpty() ? null : events;
        }
    }

    /** Live events may have been missed (fan-out re-subscribed): answer, so the client reads the log again. */
    void wake() {
        synchronized (ephemeral) {
            overflowed = true;
        }
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
