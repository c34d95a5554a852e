package io.duet.realtime.session;

import io.duet.api.events.UserEvents;
import io.duet.realtime.protocol.CloseCode;
import io.duet.realtime.protocol.Frames;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * One client's stream of the user's events, whichever transport carries it: its position in the user's
 * log, the catch-up from the log, the live events held back meanwhile, and the order they go out in. A
 * WebSocket's session lives as long as the socket; a long-poll's lives for one held poll (the client keeps
 * its position in {@code after}, so the next poll, on any node, is a new session that starts there).
 *
 * <p>Ordering without loss or duplicates: the node registers the user before the session reads the log,
 * so every event appended after that read also arrives live; live events are held back while the log is
 * read, then everything is sent strictly by seq (duplicates dropped). A live event that skips a seq (a
 * fan-out message lost while Redis pub/sub reconnected) sends the session back to the log; one at or
 * below the position means the log started again (Redis lost it), and the log read answers {@code reset}.
 *
 * <p>The transport only writes and closes ({@link Transport}). Blocking work (the log) runs on the node's
 * blocking executor, never on the fan-out's event loop that calls {@link #event}.
 */
public final class Session {
    /** Events read from the log per round trip while catching up. */
    static final int PAGE = 200;
    /** Live events held back during a catch-up; beyond this they are dropped and read from the log instead. */
    static final int MAX_HELD_BACK = 1000;

    /** What carries a session's frames to its client. */
    public interface Transport {
        /**
         * One text frame for the client, after the ones before it: a {@link String}, or a {@link ByteBuf}
         * whose reference passes to the transport. Called with the session's lock held: must not block.
         */
        void send(Object frame);

        /**
         * Tells the client to come back after {@code delayMs} (a {@code reconnect} event where the client
         * can still read one), then ends.
         */
        void reconnect(CloseCode code, long delayMs);

        /** Ends, saying why; {@code retryMs} 0 when the client should not simply retry. */
        void close(CloseCode code, long retryMs);
    }

    /** The user's event log, as the session reads it (UserEvents; a map in unit tests). */
    public interface Log {
        UserEvents.Page read(UUID user, long afterSeq, int limit);

        long lastSeq(UUID user);

        static Log of(UserEvents events) {
            return new Log() {
                @Override
                public UserEvents.Page read(UUID user, long afterSeq, int limit) {
                    return events.read(user, afterSeq, limit);
                }

                @Override
                public long lastSeq(UUID user) {
                    return events.lastSeq(user);
                }
            };
        }
    }

    private final UUID user;
    /** The sign-in the client's token names (null when it names none): a revoked sign-in ends its sessions. */
    private final UUID signIn;

    private final Log log;
    private final Executor blocking;
    private final LongSupplier reconnectDelayMs;
    private Transport transport;
    /** The last seq sent; guarded by this, like the fields below. */
    private long position;

    private boolean catchingUp = true;
    /** Live events that arrived during a catch-up (made on the first one: most sessions never need it). */
    private List<String> heldBack;

    private boolean heldBackOverflow;
    private volatile boolean ended;

    public Session(UUID user, UUID signIn, Log log, Executor blocking, LongSupplier reconnectDelayMs) {
        this.user = user;
        this.signIn = signIn;
        this.log = log;
        this.blocking = blocking;
        this.reconnectDelayMs = reconnectDelayMs;
    }

    /** Set once, before the session is held: the transport and the session are made together. */
    public void carriedBy(Transport transport) {
        this.transport = transport;
    }

    public UUID user() {
        return user;
    }

    public UUID signIn() {
        return signIn;
    }

    /** Caught up and receiving live events. */
    public synchronized boolean live() {
        return !catchingUp && !ended;
    }

    boolean ended() {
        return ended;
    }

    /**
     * Starts delivery from {@code after}, or from now when it is null. Blocking (the log): runs on the
     * node's blocking executor once the node holds the session for the user.
     */
    public void start(Long after) {
        long from = after != null ? after : log.lastSeq(user);
        synchronized (this) {
            position = from;
        }
        catchUp(null);
    }

    /** Starts from {@code position} with the first page of the log already read (a long-poll's one round trip). */
    public void start(long position, UserEvents.Page first) {
        synchronized (this) {
            this.position = position;
        }
        catchUp(first);
    }

    /**
     * A live event from the fan-out; {@code seq} 0 for ephemeral ones. {@code json} is the event as the
     * client receives it, shared by every session of the user and valid only during the call. Runs on the
     * fan-out's event loop: never blocks.
     */
    public synchronized void event(long seq, ByteBuf json) {
        if (ended) {
            return;
        }
        if (seq == 0) {
            if (!catchingUp) {
                transport.send(json.retainedDuplicate());
            }
            return;
        }
        if (catchingUp) {
            if (heldBack == null) {
                heldBack = new ArrayList<>();
            }
            if (heldBack.size() < MAX_HELD_BACK) {
                heldBack.add(json.toString(StandardCharsets.UTF_8));
            } else {
                heldBackOverflow = true;
            }
            return;
        }
        if (seq == position + 1) {
            transport.send(json.retainedDuplicate());
            position = seq;
            return;
        }
        catchingUp = true;
        blocking.execute(() -> catchUp(null));
    }

    /**
     * Live events may have been lost (the fan-out subscription was re-established): read the log again
     * from the position.
     */
    public synchronized void recheck() {
        if (!catchingUp && !ended) {
            catchingUp = true;
            blocking.execute(() -> catchUp(null));
        }
    }

    /** Sends an ephemeral frame of the gateway's own (presence snapshot, error). */
    public synchronized void sendOwn(String json) {
        if (!ended) {
            transport.send(json);
        }
    }

    /** Tells the client to come back after {@code delayMs}, then ends (drain, Redis away, a refused connect). */
    public void reconnect(CloseCode code, long delayMs) {
        if (end()) {
            transport.reconnect(code, delayMs);
        }
    }

    /** Ends with {@code code} (a revoked sign-in, a bad frame); {@code retryMs} as the close reason says it. */
    public void close(CloseCode code, long retryMs) {
        if (end()) {
            transport.close(code, retryMs);
        }
    }

    /** Stops delivery without a word to the client (it went away, or its poll has been answered). */
    public boolean end() {
        synchronized (this) {
            if (ended) {
                return false;
            }
            ended = true;
            return true;
        }
    }

    /** Reads the log from the position ({@code first}: its first page, already read), then the held-back events. */
    private void catchUp(UserEvents.Page first) {
        try {
            UserEvents.Page page = first;
            while (true) {
                if (page == null) {
                    long from;
                    synchronized (this) {
                        from = position;
                    }
                    page = log.read(user, from, PAGE);
                }
                synchronized (this) {
                    if (ended) {
                        return;
                    }
                    if (page.gap()) {
                        transport.send(Frames.reset(page.lastSeq()));
                        position = page.lastSeq();
                    } else {
                        for (String event : page.events()) {
                            long seq = Frames.seqOf(event);
                            if (seq == position + 1) {
                                transport.send(event);
                                position = seq;
                            }
                        }
                    }
                    if (!page.gap() && page.events().size() >= PAGE) {
                        page = null;
                        continue;
                    }
                    if (takeHeldBack()) {
                        catchingUp = false;
                        return;
                    }
                    page = null;
                }
            }
        } catch (RuntimeException e) {
            // Redis is away: the client comes back later and resumes from its own position.
            reconnect(CloseCode.SHUTTING_DOWN, reconnectDelayMs.getAsLong());
        }
    }

    /** Sends the held-back events that continue the position; false when they leave a hole (read the log again). */
    private boolean takeHeldBack() {
        boolean hole = heldBackOverflow;
        if (heldBack != null) {
            for (String event : heldBack) {
                long seq = Frames.seqOf(event);
                if (hole || seq <= position) {
                    continue;
                }
                if (seq == position + 1) {
                    transport.send(event);
                    position = seq;
                } else {
                    hole = true;
                }
            }
            heldBack = null;
        }
        heldBackOverflow = false;
        return !hole;
    }
}
