package io.duet.realtime;

import io.netty.buffer.ByteBuf;

/** Something on this node that wants a user's live events: a WebSocket connection or a held long-poll. */
interface Subscriber {
    /**
     * A live event from the fan-out; {@code seq} 0 for ephemeral ones. {@code json} is the event as the
     * client receives it, shared by every subscriber and valid only during the call ({@code retainedDuplicate}
     * to keep it). Called on the fan-out's Netty event loop: must not block.
     */
    void event(long seq, ByteBuf json);
}
