package io.duet.realtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.client.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's subscription to its own fan-out channel, through Redisson, handed over to one of the HTTP
 * server's Netty event loops. Every event the node routes passes here, so the handover is batched:
 * Redisson's thread queues the raw bytes (no String decode) and wakes the loop only when no drain is
 * pending; the drain hands each message to {@link Handler#message} and then calls
 * {@link Handler#readComplete} once, where the node flushes what the batch produced (one flush per
 * connection per batch, however many events). Under load a drain carries many messages, so the cost of
 * the thread hop is shared.
 *
 * <p>Redisson re-subscribes by itself after a lost connection; messages published meanwhile are lost, as
 * with any pub/sub client, so the handler is told ({@link Handler#resubscribed}) and connections re-read
 * the log.
 */
final class Fanout {
    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

    /** What the fan-out feeds; all calls come on {@link #loop()}. */
    interface Handler {
        /** One published message; {@code payload} is valid only during the call. */
        void message(ByteBuf payload);

        /** The end of one batch of messages. */
        void readComplete();

        /** Subscribed again after a lost connection: messages may have been missed meanwhile. */
        void resubscribed();
    }

    private final RTopic topic;
    private final String channelName;
    private final Handler handler;
    private final EventLoop loop;
    private final ConcurrentLinkedQueue<byte[]> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean everSubscribed = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private volatile int statusListener = -1;
    private volatile int messageListener = -1;

    Fanout(RedissonClient redisson, String channelName, EventLoopGroup group, Handler handler) {
        this.topic = redisson.getTopic(channelName, ByteArrayCodec.INSTANCE);
        this.channelName = channelName;
        this.handler = handler;
        this.loop = group.next();
    }

    /** The event loop every {@link Handler} call runs on. */
    EventLoop loop() {
        return loop;
    }

    /** Subscribes; returns once subscribed (or after {@code timeoutMs}: Redisson keeps trying). */
    void start(long timeoutMs) {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        statusListener = topic.addListener(new BaseStatusListener() {
            @Override
            public void onSubscribe(String channel) {
                subscribed.complete(null);
                if (everSubscribed.getAndSet(true)) {
                    LOG.atInfo().addKeyValue("channel", channelName).log("fan-out subscribed again; connections re-read the log");
                    loop.execute(handler::resubscribed);
                }
            }
        });
        messageListener = topic.addListener(byte[].class, (channel, message) -> {
            pending.add(message);
            if (drainScheduled.compareAndSet(false, true)) {
                loop.execute(drain);
            }
        });
        try {
            subscribed.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("channel", channelName).log("fan-out not subscribed yet; Redisson keeps trying");
        }
    }

    void stop() {
        if (messageListener != -1 || statusListener != -1) {
            topic.removeListener(messageListener, statusListener);
        }
    }

    private void drain() {
        // Cleared first: a message queued after this point schedules the next drain.
        drainScheduled.set(false);
        byte[] message;
        boolean any = false;
        while ((message = pending.poll()) != null) {
            handler.message(Unpooled.wrappedBuffer(message));
            any = true;
        }
        if (any) {
            handler.readComplete();
        }
    }
}
