package io.duet.realtime.fanout;

import io.duet.api.redis.RedisConfig;
import io.duet.api.redis.RedissonSettings;
import io.duet.realtime.RealtimeConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redisson.Redisson;
import org.redisson.api.RFuture;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's subscription to its own fan-out channel, through a Redisson client of its own whose one
 * connection lives on one of the HTTP server's Netty event loops and whose listener runs right there
 * (Netty's immediate executor runs Redisson's listener calls in the calling thread). Every event the node routes passes here,
 * so there is no thread hop at all: the listener queues the raw bytes (no String decode) and schedules one
 * drain on its own loop, which runs after the loop has handled everything that one read from Redis
 * brought; the drain hands each message to {@link Handler#message} and then calls
 * {@link Handler#readComplete} once, where the node flushes what the batch produced (one flush per
 * connection per batch, however many events). With the process's shared client the messages go from
 * Redisson's Netty thread to its executor and then wake the loop: two hand-offs per batch, most of the
 * node's CPU per event at a few thousand events a second. A Lambda function still subscribes that way
 * ({@link RealtimeConfig#fanoutOwnClient()} false), because SnapStart's hooks manage only that client.
 *
 * <p>Redisson re-subscribes by itself after a lost connection; messages published meanwhile are lost, as
 * with any pub/sub client, so the handler is told ({@link Handler#resubscribed}) and connections re-read
 * the log.
 */
public final class Fanout {
    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

    /** What the fan-out feeds; all calls come on {@link #loop()}. */
    public interface Handler {
        /** One published message; {@code payload} is valid only during the call. */
        void message(ByteBuf payload);

        /** The end of one batch of messages. */
        void readComplete();

        /** Subscribed again after a lost connection: messages may have been missed meanwhile. */
        void resubscribed();
    }

    private final RedissonClient redisson;
    private final boolean owned;
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
    private volatile boolean stopped;
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    private final BaseStatusListener status = new BaseStatusListener() {
        @Override
        public void onSubscribe(String channel) {
            subscribed.complete(null);
            if (everSubscribed.getAndSet(true)) {
                LOG.atInfo()
                        .addKeyValue("channel", channelName)
                        .log("fan-out subscribed again; connections re-read the log");
                loop.execute(handler::resubscribed);
            }
        }
    };

    /**
     * @param ownClient subscribe through a client of the fan-out's own on {@code loop} (shut down with it), else
     *     through the process's {@code shared} one (its listener calls then come from Redisson's executor and wake the loop)
     */
    public Fanout(
            boolean ownClient,
            RedisConfig redis,
            RedissonClient shared,
            String channelName,
            EventLoop loop,
            Handler handler) {
        this.owned = ownClient;
        this.redisson = ownClient ? clientOn(loop, redis) : shared;
        this.loop = loop;
        this.topic = redisson.getTopic(channelName, ByteArrayCodec.INSTANCE);
        this.channelName = channelName;
        this.handler = handler;
    }

    /** A Redisson client whose connections live on {@code loop} and whose listener calls run there. */
    private static RedissonClient clientOn(EventLoop loop, RedisConfig redis) {
        Config config = RedissonSettings.of(redis);
        config.setCodec(ByteArrayCodec.INSTANCE);
        // As the process's main client: the node starts while Redis is away, and the subscription follows when it is
        // back.
        config.setLazyInitialization(true);
        // An event loop is a group of one: the subscription's connection is registered on this very loop, and
        // Netty's immediate executor runs Redisson's listener calls right in it. Redisson leaves a group and an
        // executor it was given running when it shuts down.
        config.setEventLoopGroup(loop);
        config.setExecutor(ImmediateEventExecutor.INSTANCE);
        config.useSingleServer()
                .setConnectionMinimumIdleSize(0)
                .setConnectionPoolSize(1)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionPoolSize(1);
        return Redisson.create(config);
    }

    /** The event loop every {@link Handler} call runs on. */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Subscribes; returns once subscribed, or after {@code timeoutMs} while Redis does not answer: the node
     * serves meanwhile (catching up from the log works once Redis is back) and the subscription is retried
     * every second until it holds.
     */
    public void start(long timeoutMs) {
        subscribe();
        try {
            subscribed.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("channel", channelName).log("fan-out not subscribed yet; retrying every second");
        }
    }

    /** Adds the status listener, then the message listener (each subscribes once it gets through). */
    private void subscribe() {
        if (stopped) {
            return;
        }
        boolean statusFirst = statusListener == -1;
        RFuture<Integer> step;
        try {
            // Redisson connects on first use and, while Redis is away, may refuse here rather than in the future
            step = statusFirst ? topic.addListenerAsync(status) : topic.addListenerAsync(byte[].class, this::onMessage);
        } catch (RuntimeException e) {
            retryLater();
            return;
        }
        step.whenComplete((id, error) -> {
            if (error != null) {
                retryLater();
            } else if (statusFirst) {
                statusListener = id;
                // off this loop: the client's connection lives on it, and Redisson may wait for a connect in the call
                CompletableFuture.runAsync(this::subscribe);
            } else {
                messageListener = id;
            }
        });
    }

    /** In a second, on a pool thread, never on {@link #loop}: Redisson may wait there for its connect, which needs the loop. */
    private void retryLater() {
        if (!stopped) {
            CompletableFuture.runAsync(this::subscribe, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS));
        }
    }

    public void stop() {
        stopped = true;
        if (messageListener != -1 || statusListener != -1) {
            topic.removeListener(messageListener, statusListener);
        }
        if (owned) {
            redisson.shutdown();
        }
    }

    /** On {@link #loop} in Redisson's read of the subscription (own client), else on Redisson's executor. */
    private void onMessage(CharSequence channel, byte[] message) {
        pending.add(message);
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(drain);
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
