package io.duet.realtime;

/** Something on this node that wants a user's live events: a WebSocket connection or a held long-poll. */
interface Subscriber {
    /**
     * A live event from the fan-out; {@code seq} 0 for ephemeral ones. Called on a Redis I/O thread:
     * must not block.
     */
    void event(long seq, String json);
}
