package io.duet.realtime.transport;

import io.duet.realtime.protocol.CloseCode;
import io.duet.realtime.protocol.Frames;
import io.duet.realtime.session.Session;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The long-polling transport of one held poll's {@link Session}: it keeps what the session sends and is
 * ready on the first frame, on a {@code reconnect}, or when the poll must end (revoked, superseded by a
 * newer poll of the same sid, the client gone). Frames that arrive before the poll's thread takes them
 * join the same answer; once taken, the session ends and the client's next poll continues from its own
 * position.
 */
final class PollAnswer implements Session.Transport {
    private final Session session;
    private final int limit;
    /** Guarded by the session's lock, which the session holds when it sends. */
    private final List<String> frames = new ArrayList<>();

    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    /** {@code limit}: events per answer; past it the session stops reading (the client polls again at once). */
    PollAnswer(Session session, int limit) {
        this.session = session;
        this.limit = limit;
        session.carriedBy(this);
    }

    Session session() {
        return session;
    }

    @Override
    public void send(Object frame) {
        synchronized (session) {
            if (frame instanceof ByteBuf bytes) {
                try {
                    frames.add(bytes.toString(StandardCharsets.UTF_8));
                } finally {
                    bytes.release();
                }
            } else {
                frames.add((String) frame);
            }
            if (frames.size() >= limit) {
                session.end();
            }
        }
        ready.complete(null);
    }

    @Override
    public void reconnect(CloseCode code, long delayMs) {
        synchronized (session) {
            frames.add(Frames.reconnect(delayMs, code.reason()));
        }
        ready.complete(null);
    }

    /** A revoked sign-in: answer now; the client's next request meets the revocation. */
    @Override
    public void close(CloseCode code, long retryMs) {
        ready.complete(null);
    }

    /** Ends the hold without more events (the client is gone, or a newer poll of its sid took over). */
    void finish() {
        session.end();
        ready.complete(null);
    }

    boolean ready() {
        return ready.isDone();
    }

    /** Waits until there is something to answer, or {@code holdMs}. */
    void await(long holdMs) throws InterruptedException {
        try {
            ready.get(holdMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the hold is over: an empty answer
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The answer's frames; the session ends, so nothing more is added. */
    List<String> take() {
        synchronized (session) {
            session.end();
            return List.copyOf(frames);
        }
    }
}
