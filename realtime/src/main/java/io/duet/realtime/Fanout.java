package io.duet.realtime;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's subscription to its own fan-out channel, as a bare RESP connection on one of the HTTP
 * server's Netty event loops rather than through Redisson. Every event the node routes passes here, so
 * the path is kept short: the message bytes are handed to {@link Handler#message} straight from the read
 * buffer (no String, no thread hop), and {@link Handler#readComplete} marks the end of a read, where the
 * node flushes what that read produced (one flush per connection per read, however many events).
 *
 * <p>Redisson stays the client for everything else. What a subscriber needs of RESP is small: send
 * {@code AUTH}/{@code SUBSCRIBE}/{@code PING}, read arrays of bulk strings and integers. Messages published
 * while the connection is down are lost, as with any pub/sub client: after a re-subscribe the handler is
 * told ({@link Handler#resubscribed}) so that connections re-read the log.
 */
final class Fanout {
    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);
    private static final long MAX_BACKOFF_MS = 2000;
    private static final long PING_MS = 15_000;

    /** What the fan-out feeds; all calls come on {@link #loop()}. */
    interface Handler {
        /** One published message; {@code payload} is valid only during the call. */
        void message(ByteBuf payload);

        /** The end of one read from Redis (one or more messages). */
        void readComplete();

        /** Subscribed again after a lost connection: messages may have been missed meanwhile. */
        void resubscribed();
    }

    private final URI uri;
    private final String channelName;
    private final Handler handler;
    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private volatile boolean stopped;
    private volatile Channel channel;
    private boolean everSubscribed;
    private long backoffMs = 50;

    Fanout(String redisUri, String channelName, EventLoopGroup group, Class<? extends Channel> channelClass, Handler handler) {
        this.uri = URI.create(redisUri);
        this.channelName = channelName;
        this.handler = handler;
        this.loop = group.next();
        boolean tls = "rediss".equalsIgnoreCase(uri.getScheme());
        this.bootstrap = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) throws Exception {
                        if (tls) {
                            ch.pipeline().addLast(SslContextBuilder.forClient().build().newHandler(ch.alloc(), host(), port()));
                        }
                        ch.pipeline().addLast(new Subscriber());
                    }
                });
    }

    /** The event loop every {@link Handler} call runs on. */
    EventLoop loop() {
        return loop;
    }

    /** Connects and subscribes; returns once subscribed (or after {@code timeoutMs}; it keeps retrying). */
    void start(long timeoutMs) {
        var subscribed = new java.util.concurrent.CompletableFuture<Void>();
        loop.execute(() -> connect(subscribed));
        try {
            subscribed.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("channel", channelName).log("fan-out not subscribed yet; retrying in the background");
        }
    }

    void stop() {
        stopped = true;
        Channel current = channel;
        if (current != null) {
            current.close();
        }
    }

    private String host() {
        return uri.getHost() == null ? "127.0.0.1" : uri.getHost();
    }

    private int port() {
        return uri.getPort() > 0 ? uri.getPort() : 6379;
    }

    private void connect(java.util.concurrent.CompletableFuture<Void> subscribed) {
        if (stopped) {
            return;
        }
        bootstrap.connect(host(), port()).addListener((ChannelFutureListener) future -> {
            if (future.isSuccess()) {
                channel = future.channel();
                channel.attr(SUBSCRIBED).set(subscribed);
                channel.writeAndFlush(hello(channel.alloc()));
            } else {
                retry(subscribed, future.cause());
            }
        });
    }

    private void retry(java.util.concurrent.CompletableFuture<Void> subscribed, Object cause) {
        if (stopped) {
            return;
        }
        LOG.atWarn().addKeyValue("channel", channelName).addKeyValue("retryMs", backoffMs)
                .addKeyValue("error", String.valueOf(cause)).log("fan-out connection to Redis lost");
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        loop.schedule(() -> connect(subscribed), delay, TimeUnit.MILLISECONDS);
    }

    private static final io.netty.util.AttributeKey<java.util.concurrent.CompletableFuture<Void>> SUBSCRIBED =
            io.netty.util.AttributeKey.valueOf("duet.fanout.subscribed");

    /** {@code AUTH} (when the URI carries credentials), {@code CLIENT SETNAME} and {@code SUBSCRIBE}, pipelined. */
    private ByteBuf hello(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            String password = URLDecoder.decode(colon >= 0 ? userInfo.substring(colon + 1) : userInfo, StandardCharsets.UTF_8);
            String user = colon > 0 ? URLDecoder.decode(userInfo.substring(0, colon), StandardCharsets.UTF_8) : null;
            command(out, user == null ? new String[] {"AUTH", password} : new String[] {"AUTH", user, password});
        }
        // Named, so that operators (and a test) can tell this connection apart in CLIENT LIST.
        command(out, "CLIENT", "SETNAME", clientName(channelName));
        command(out, "SUBSCRIBE", channelName);
        return out;
    }

    /** The connection's name in Redis's {@code CLIENT LIST}: {@code duet-fanout-<node id>}. */
    static String clientName(String channelName) {
        return "duet-fanout-" + channelName.substring(channelName.lastIndexOf(':') + 1);
    }

    private static void command(ByteBuf out, String... words) {
        out.writeByte('*').writeCharSequence(Integer.toString(words.length), StandardCharsets.US_ASCII);
        out.writeByte('\r').writeByte('\n');
        for (String word : words) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            out.writeByte('$').writeCharSequence(Integer.toString(bytes.length), StandardCharsets.US_ASCII);
            out.writeByte('\r').writeByte('\n').writeBytes(bytes).writeByte('\r').writeByte('\n');
        }
    }

    /** Reads the subscriber connection's replies: confirmations, messages, pongs, errors. */
    private final class Subscriber extends ChannelInboundHandlerAdapter {
        private ByteBuf buffer;
        private boolean pingOutstanding;
        private io.netty.util.concurrent.ScheduledFuture<?> pinger;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            pinger = ctx.executor().scheduleAtFixedRate(() -> {
                if (pingOutstanding) {
                    // No answer for a whole period: the link is dead even if TCP has not noticed.
                    ctx.close();
                    return;
                }
                pingOutstanding = true;
                ByteBuf ping = ctx.alloc().buffer(16);
                command(ping, "PING");
                ctx.writeAndFlush(ping);
            }, PING_MS, PING_MS, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (buffer == null || !buffer.isReadable()) {
                if (buffer != null) {
                    buffer.release();
                }
                buffer = in;
            } else {
                buffer = io.netty.handler.codec.ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buffer, in);
            }
            while (buffer.isReadable()) {
                int start = buffer.readerIndex();
                if (!reply(ctx, buffer)) {
                    buffer.readerIndex(start);
                    break;
                }
            }
            if (buffer != null && !buffer.isReadable()) {
                buffer.release();
                buffer = null;
            } else if (buffer != null && buffer.readerIndex() > 65536) {
                buffer.discardReadBytes();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            handler.readComplete();
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pinger != null) {
                pinger.cancel(false);
            }
            if (buffer != null) {
                buffer.release();
                buffer = null;
            }
            retry(ctx.channel().attr(SUBSCRIBED).get(), "connection closed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.atWarn().addKeyValue("error", cause.toString()).log("fan-out connection failed");
            ctx.close();
        }

        /** Consumes one complete reply from {@code in}; false (and nothing consumed) when it is incomplete. */
        private boolean reply(ChannelHandlerContext ctx, ByteBuf in) {
            byte type = in.readByte();
            if (type == '+' || type == '-' || type == ':') {
                int end = lineEnd(in);
                if (end < 0) {
                    return false;
                }
                if (type == '-') {
                    LOG.atError().addKeyValue("channel", channelName)
                            .addKeyValue("error", in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8))
                            .log("Redis refused the fan-out subscription");
                    in.readerIndex(end + 2);
                    ctx.close();
                    return true;
                }
                in.readerIndex(end + 2);
                return true;
            }
            if (type != '*') {
                ctx.close();
                return true;
            }
            long count = number(in);
            if (count < 0) {
                return count == -1;
            }
            // Pub/sub replies: ["message", channel, payload], ["subscribe", channel, n], ["pong", ""].
            int kindStart = -1;
            int kindLength = 0;
            int payloadStart = -1;
            int payloadLength = 0;
            for (long i = 0; i < count; i++) {
                if (!in.isReadable()) {
                    return false;
                }
                byte element = in.readByte();
                if (element == '$') {
                    long length = number(in);
                    if (length < -1 || (length >= 0 && in.readableBytes() < length + 2)) {
                        return false;
                    }
                    if (length >= 0) {
                        if (i == 0) {
                            kindStart = in.readerIndex();
                            kindLength = (int) length;
                        } else if (i == 2) {
                            payloadStart = in.readerIndex();
                            payloadLength = (int) length;
                        }
                        in.skipBytes((int) length + 2);
                    }
                } else {
                    int end = lineEnd(in);
                    if (end < 0) {
                        return false;
                    }
                    in.readerIndex(end + 2);
                }
            }
            if (kindStart < 0) {
                return true;
            }
            if (isWord(in, kindStart, kindLength, "message") && payloadStart >= 0) {
                int after = in.readerIndex();
                try {
                    handler.message(in.slice(payloadStart, payloadLength));
                } catch (RuntimeException e) {
                    LOG.atWarn().addKeyValue("error", e.toString()).log("fan-out message not dispatched");
                }
                in.readerIndex(after);
            } else if (isWord(in, kindStart, kindLength, "subscribe")) {
                backoffMs = 50;
                var subscribed = ctx.channel().attr(SUBSCRIBED).get();
                if (subscribed != null) {
                    subscribed.complete(null);
                }
                if (everSubscribed) {
                    LOG.atInfo().addKeyValue("channel", channelName).log("fan-out subscribed again");
                    handler.resubscribed();
                }
                everSubscribed = true;
            } else if (isWord(in, kindStart, kindLength, "pong")) {
                pingOutstanding = false;
            }
            return true;
        }

        /** A decimal number up to CRLF; Long.MIN_VALUE when the line is incomplete. */
        private long number(ByteBuf in) {
            int end = lineEnd(in);
            if (end < 0) {
                return Long.MIN_VALUE;
            }
            long value = 0;
            boolean negative = false;
            for (int i = in.readerIndex(); i < end; i++) {
                byte b = in.getByte(i);
                if (b == '-') {
                    negative = true;
                } else {
                    value = value * 10 + (b - '0');
                }
            }
            in.readerIndex(end + 2);
            return negative ? -value : value;
        }

        private int lineEnd(ByteBuf in) {
            int cr = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\r');
            return cr < 0 || cr + 1 >= in.writerIndex() ? -1 : cr;
        }

        private boolean isWord(ByteBuf in, int start, int length, String word) {
            if (length != word.length()) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (in.getByte(start + i) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }
}
