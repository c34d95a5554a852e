package io.duet.realtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A held long-poll: woken by the first live event after its position, an ephemeral event or a drain. */
final class PollWaiter implements Subscriber {
    private final long after;
    private final CompletableFuture<Void> woken = new CompletableFuture<>();
    private final List<String> ephemeral = new ArrayList<>();
    private volatile String reconnect;

    PollWaiter(long after) {
        this.after = after;
    }

    CompletableFuture<Void> woken() {
        return woken;
    }

    @Override
    public void event(long seq, String json) {
        if (seq == 0) {
            synchronized (ephemeral) {
                ephemeral.add(json);
            }
            woken.complete(null);
        } else if (seq > after) {
            woken.complete(null);
        }
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
