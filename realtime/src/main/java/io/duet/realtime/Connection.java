package io.duet.realtime;

import io.duet.api.events.UserEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket client: its position in the user's log, the live events that arrive while it catches up,
 * and the bytes written but not yet taken by the network.
 *
 * <p>Ordering without loss or duplicates: the node registers the user before the connection reads the
 * log, so every event appended after that read also arrives live; live events are held back while the
 * log is read, then everything is sent strictly by seq (duplicates dropped). A live event that skips a
 * seq (a fan-out message lost while Redis pub/sub reconnected) sends the connection back to the log.
 */
final class Connection implements Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** Events read from the log per round trip while catching up. */
    private static final int PAGE = 200;
    /** Live events held back during a catch-up; beyond this they are dropped and read from the log instead. */
    private static final int MAX_HELD_BACK = 1000;

    private static final Object[] NOTHING = {};

    /** Numbers this node's connections; with the node id it names the connection in the user's presence. */
    private final long serial;

    private final Channel channel;
    private final UUID user;
    private final Instant expiresAt;
    private final Node node;
    private final UserEvents events;
    private final RealtimeConfig config;
    /** Frames not yet handed to Netty (String or ByteBuf) and whether a drain is on its way; guarded by this. */
    private final ArrayDeque<Object> outbox = new ArrayDeque<>();

    private boolean drainPending;
    private CloseWebSocketFrame closeFrame;
    private boolean closeRequested;
    /** Bytes queued or written and not yet taken by the network. */
    private final AtomicLong unsent = new AtomicLong();

    private final List<String> heldBack = new ArrayList<>();
    private final UUID sessionId;
    /** Client frames waiting to be handled, one at a time in arrival order; guarded by itself. */
    private final ArrayDeque<Runnable> inbound = new ArrayDeque<>();

    private boolean handling;
    /** Token bucket of client frames: tokens left and when it was last refilled (event loop only). */
    private double frameTokens;

    private long frameRefillNanos = System.nanoTime();
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile long nextPingNanos;
    private long position;
    private boolean catchingUp = true;
    private boolean heldBackOverflow;
    private volatile boolean closed;

    Connection(
            long serial,
            Channel channel,
            UUID user,
            UUID sessionId,
            Instant expiresAt,
            Node node,
            UserEvents events,
            RealtimeConfig config) {
        this.serial = serial;
        this.channel = channel;
        this.user = user;
        this.sessionId = sessionId;
        this.frameTokens = config.clientFrameBurst();
        this.expiresAt = expiresAt;
        this.node = node;
        this.events = events;
        this.config = config;
        this.nextPingNanos = System.nanoTime() + config.heartbeatInterval().toNanos();
    }

    /** Unique across nodes; made when asked (presence join, leave and the node's refresh every 20 s), not kept per connection. */
    String id() {
        return node.id() + ".ws" + serial;
    }

    UUID user() {
        return user;
    }

    /** The sign-in this connection's token belongs to (null for a token that names none). */
    UUID sessionId() {
        return sessionId;
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
                        .addKeyValue("accountId", user)
                        .addKeyValue("error", e.toString())
                        .log("client frame not handled");
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Caught up and receiving live events. */
    synchronized boolean live() {
        return !catchingUp && !closed;
    }

    long unsentBytes() {
        return unsent.get();
    }

    /** The client or the network closed it. */
    void closeQuietly() {
        closed = true;
    }

    void touched() {
        lastInboundNanos = System.nanoTime();
    }

    /**
     * Starts delivery: from {@code after} when given, else from now. Blocking (Redis): runs on the node's
     * blocking executor after the node has registered the user.
     */
    void start(Long after) {
        if (after == null) {
            long last = events.lastSeq(user);
            synchronized (this) {
                position = last;
            }
        } else {
            synchronized (this) {
                position = after;
            }
        }
        catchUp();
    }

    @Override
    public synchronized void event(long seq, ByteBuf json) {
        if (closed) {
            return;
        }
        if (seq == 0) {
            if (!catchingUp) {
                enqueue(json.retainedDuplicate());
            }
            return;
        }
        if (catchingUp) {
            if (heldBack.size() < MAX_HELD_BACK) {
                heldBack.add(json.toString(StandardCharsets.UTF_8));
            } else {
                heldBackOverflow = true;
            }
            return;
        }
        if (seq == position + 1) {
            enqueue(json.retainedDuplicate());
            position = seq;
            return;
        }
        // Ahead of the position: events were missed, the log has them. At or below it: the live path never
        // repeats an event, so the user's log started again (Redis lost it); the log read then answers a gap,
        // and the client gets reset instead of silently losing what comes next.
        catchingUp = true;
        node.blocking().execute(this::catchUp);
    }

    /**
     * Live events may have been lost (the fan-out subscription was re-established): read the log again
     * from this connection's position.
     */
    synchronized void recheck() {
        if (!catchingUp && !closed) {
            catchingUp = true;
            node.blocking().execute(this::catchUp);
        }
    }

    /** Sends an ephemeral frame of the gateway's own (presence snapshot, error). */
    synchronized void sendOwn(String json) {
        if (!closed) {
            enqueue(json);
        }
    }

    private void catchUp() {
        try {
            while (true) {
                long from;
                synchronized (this) {
                    from = position;
                }
                UserEvents.Page page = events.read(user, from, PAGE);
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    if (page.gap()) {
                        enqueue(Frames.reset(page.lastSeq()));
                        position = page.lastSeq();
                    } else {
                        for (String event : page.events()) {
                            long seq = Frames.seqOf(event);
                            if (seq == position + 1) {
                                enqueue(event);
                                position = seq;
                            }
                        }
                    }
                    if (!page.gap() && page.events().size() == PAGE) {
                        continue;
                    }
                    boolean hole = heldBackOverflow;
                    for (String event : heldBack) {
                        long seq = Frames.seqOf(event);
                        if (hole || seq <= position) {
                            continue;
                        }
                        if (seq == position + 1) {
                            enqueue(event);
                            position = seq;
                        } else {
                            hole = true;
                        }
                    }
                    heldBack.clear();
                    heldBackOverflow = false;
                    if (!hole) {
                        catchingUp = false;
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            // Redis is away: the client comes back later and resumes from its own position.
            closeForReconnect(CloseCode.SHUTTING_DOWN, node.reconnectDelayMs());
        }
    }

    /**
     * Queues one text frame ({@link ByteBuf} or String) for the connection's event loop, unless the client
     * has stopped reading, in which case it is cut off. The first frame queued after a drain asks the node
     * for a drain: during a fan-out read that is one task per event loop for all the connections the read
     * touched, and one flush per connection, however many events it brought. Holds the lock.
     */
    private void enqueue(Object frame) {
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

    EventLoop loop() {
        return channel.eventLoop();
    }

    /**
     * On the connection's event loop: writes what is queued and flushes once. Only the last write of a
     * batch carries a listener: writes complete in order, so when it completes the batch has left.
     */
    void drain() {
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
     * is bounded by {@link RealtimeConfig#outboxBytes()}.
     */
    private void cutOff() {
        closeForReconnect(CloseCode.SLOW_CONSUMER, node.reconnectDelayMs());
    }

    /** Tells the client to come back after {@code delayMs} (a {@code reconnect} event and the close reason), then closes. */
    void closeForReconnect(CloseCode code, long delayMs) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (code != CloseCode.SLOW_CONSUMER) {
                String reconnect = Frames.reconnect(delayMs, code.reason());
                outbox.add(reconnect);
                unsent.addAndGet(reconnect.length());
            }
            closeAfterQueued(code, Frames.closeReason(code, delayMs));
        }
    }

    /** Closes with {@code code} once what is queued is written. */
    synchronized void close(CloseCode code, String reason) {
        closeAfterQueued(code, reason);
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
    void tick(long now) {
        if (closed) {
            return;
        }
        if (Instant.now().isAfter(expiresAt)) {
            closeForReconnect(CloseCode.TOKEN_EXPIRED, 0);
            return;
        }
        if (now - lastInboundNanos > config.heartbeatTimeout().toNanos()) {
            closeForReconnect(CloseCode.HEARTBEAT_TIMEOUT, node.reconnectDelayMs());
            return;
        }
        if (now >= nextPingNanos) {
            nextPingNanos = now + config.heartbeatInterval().toNanos();
            channel.writeAndFlush(new PingWebSocketFrame());
        }
    }
}
