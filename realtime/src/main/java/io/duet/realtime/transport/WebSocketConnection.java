package io.duet.realtime.transport;

import io.duet.realtime.Node;
import io.duet.realtime.RealtimeConfig;
import io.duet.realtime.protocol.CloseCode;
import io.duet.realtime.protocol.Frames;
import io.duet.realtime.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket transport of one {@link Session}: the bytes written but not yet taken by the network, the
 * heartbeat and the token's expiry, and the client's frames (a budget, then one at a time in order). What
 * is sent, and in which order, is the session's business.
 */
public final class WebSocketConnection implements Session.Transport {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);
    private static final Object[] NOTHING = {};

    /** Numbers this node's connections; with the node id it names the connection in the user's presence. */
    private final long serial;

    private final Channel channel;
    private final Session session;
    private final Instant expiresAt;
    private final Node node;
    private final RealtimeConfig config;
    /** Frames not yet handed to Netty (String or ByteBuf) and whether a drain is on its way; guarded by this. */
    private final ArrayDeque<Object> outbox = new ArrayDeque<>();

    private boolean drainPending;
    private CloseWebSocketFrame closeFrame;
    private boolean closeRequested;
    /** Bytes queued or written and not yet taken by the network. */
    private final AtomicLong unsent = new AtomicLong();

    /** Client frames waiting to be handled, one at a time in arrival order; guarded by itself. */
    private final ArrayDeque<Runnable> inbound = new ArrayDeque<>();

    private boolean handling;
    /** Token bucket of client frames: tokens left and when it was last refilled (event loop only). */
    private double frameTokens;

    private long frameRefillNanos = System.nanoTime();
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile long nextPingNanos;
    private volatile boolean closed;

    WebSocketConnection(
            long serial, Channel channel, Session session, Instant expiresAt, Node node, RealtimeConfig config) {
        this.serial = serial;
        this.channel = channel;
        this.session = session;
        this.frameTokens = config.clientFrameBurst();
        this.expiresAt = expiresAt;
        this.node = node;
        this.config = config;
        this.nextPingNanos = System.nanoTime() + config.heartbeatInterval().toNanos();
        session.carriedBy(this);
    }

    /** Unique across nodes; made when asked (presence join, leave and the node's refresh every 20 s), not kept per connection. */
    public String id() {
        return node.id() + ".ws" + serial;
    }

    public Session session() {
        return session;
    }

    public UUID user() {
        return session.user();
    }

    /**
     * Takes one client frame from the budget ({@link RealtimeConfig#clientFramesPerSecond()}, bursts of
     * {@link RealtimeConfig#clientFrameBurst()}); false when the client floods. Event loop only.
     */
    boolean allowFrame(long now) {
        frameTokens = Math.min(
                config.clientFrameBurst(),
                frameTokens + (now - frameRefillNanos) * config.clientFramesPerSecond() / 1e9);
        frameRefillNanos = now;
        if (frameTokens < 1) {
            return false;
        }
        frameTokens -= 1;
        return true;
    }

    /**
     * Handles client frames one at a time, in the order they came, on the node's blocking executor: a
     * client cannot have many of its frames (Redis and database calls) running at once.
     */
    void handleInOrder(Runnable work) {
        synchronized (inbound) {
            inbound.add(work);
            if (handling) {
                return;
            }
            handling = true;
        }
        node.blocking().execute(this::handleQueued);
    }

    private void handleQueued() {
        while (true) {
            Runnable next;
            synchronized (inbound) {
                next = inbound.poll();
                if (next == null) {
                    handling = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.atWarn()
                        .addKeyValue("accountId", session.user())
                        .addKeyValue("error", e.toString())
                        .log("client frame not handled");
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    public long unsentBytes() {
        return unsent.get();
    }

    /** The client or the network closed it. */
    void closeQuietly() {
        closed = true;
        session.end();
    }

    void touched() {
        lastInboundNanos = System.nanoTime();
    }

    /**
     * Queues one text frame ({@link ByteBuf} or String) for the connection's event loop, unless the client
     * has stopped reading, in which case it is cut off. The first frame queued after a drain asks the node
     * for a drain: during a fan-out read that is one task per event loop for all the connections the read
     * touched, and one flush per connection, however many events it brought.
     */
    @Override
    public synchronized void send(Object frame) {
        if (closed) {
            release(frame);
            return;
        }
        long size = sizeOf(frame);
        if (unsent.get() + size > config.outboxBytes()) {
            release(frame);
            cutOff();
            return;
        }
        unsent.addAndGet(size);
        outbox.add(frame);
        requestDrain();
    }

    private static long sizeOf(Object frame) {
        return frame instanceof ByteBuf bytes ? bytes.readableBytes() : ((String) frame).length();
    }

    private void requestDrain() {
        if (!drainPending) {
            drainPending = true;
            node.drainLater(this);
        }
    }

    public EventLoop loop() {
        return channel.eventLoop();
    }

    /**
     * On the connection's event loop: writes what is queued and flushes once. Only the last write of a
     * batch carries a listener: writes complete in order, so when it completes the batch has left.
     */
    public void drain() {
        Object[] frames;
        CloseWebSocketFrame close;
        synchronized (this) {
            frames = outbox.isEmpty() ? NOTHING : outbox.toArray();
            outbox.clear();
            drainPending = false;
            close = closeFrame;
            closeFrame = null;
        }
        long bytes = 0;
        for (Object frame : frames) {
            bytes += sizeOf(frame);
        }
        if (!channel.isActive()) {
            for (Object frame : frames) {
                release(frame);
            }
            unsent.addAndGet(-bytes);
            if (close != null) {
                close.release();
            }
            return;
        }
        for (int i = 0; i < frames.length; i++) {
            Object frame = frames[i];
            ByteBuf payload =
                    frame instanceof ByteBuf buffer ? buffer : ByteBufUtil.writeUtf8(channel.alloc(), (String) frame);
            if (i < frames.length - 1) {
                channel.write(new TextWebSocketFrame(payload), channel.voidPromise());
            } else {
                long batch = bytes;
                channel.write(new TextWebSocketFrame(payload)).addListener(future -> unsent.addAndGet(-batch));
            }
        }
        if (close != null) {
            channel.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
            // A client that does not read never takes the close frame: the channel goes anyway.
            channel.eventLoop()
                    .schedule(
                            () -> {
                                channel.close();
                            },
                            Math.max(100, config.drainGrace().toMillis()),
                            TimeUnit.MILLISECONDS);
        } else if (frames.length > 0) {
            channel.flush();
        }
    }

    private static void release(Object frame) {
        if (frame instanceof ByteBuf bytes) {
            bytes.release();
        }
    }

    /**
     * The client does not read: stop writing to it, queue a close frame behind what it has not read, and
     * drop the connection shortly after whether or not it ever reads that far, so the node's memory for it
     * is bounded by {@link RealtimeConfig#outboxBytes()}. No {@code reconnect} event: it would not be read.
     */
    private void cutOff() {
        session.end();
        closeAfterQueued(CloseCode.SLOW_CONSUMER, Frames.closeReason(CloseCode.SLOW_CONSUMER, node.reconnectDelayMs()));
    }

    @Override
    public synchronized void reconnect(CloseCode code, long delayMs) {
        if (closed) {
            return;
        }
        // past the outbox bound on purpose: it is the last frame
        String reconnect = Frames.reconnect(delayMs, code.reason());
        outbox.add(reconnect);
        unsent.addAndGet(reconnect.length());
        closeAfterQueued(code, Frames.closeReason(code, delayMs));
    }

    @Override
    public synchronized void close(CloseCode code, long retryMs) {
        closeAfterQueued(code, Frames.closeReason(code, retryMs));
    }

    private void closeAfterQueued(CloseCode code, String reason) {
        if (closeRequested) {
            return;
        }
        closed = true;
        closeRequested = true;
        closeFrame = new CloseWebSocketFrame(code.code(), reason);
        requestDrain();
    }

    /** Heartbeat and token expiry, called by the node's timer. */
    public void tick(long now) {
        if (closed) {
            return;
        }
        if (Instant.now().isAfter(expiresAt)) {
            session.reconnect(CloseCode.TOKEN_EXPIRED, 0);
            return;
        }
        if (now - lastInboundNanos > config.heartbeatTimeout().toNanos()) {
            session.reconnect(CloseCode.HEARTBEAT_TIMEOUT, node.reconnectDelayMs());
            return;
        }
        if (now >= nextPingNanos) {
            nextPingNanos = now + config.heartbeatInterval().toNanos();
            channel.writeAndFlush(new PingWebSocketFrame());
        }
    }
}
