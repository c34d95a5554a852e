package io.duet.realtime.transport;

import io.duet.api.events.UserEvents;
import io.duet.realtime.Node;
import io.duet.realtime.RealtimeConfig;
import io.duet.realtime.protocol.CloseCode;
import io.duet.realtime.protocol.Frames;
import io.duet.realtime.session.AccessTokens;
import io.duet.realtime.session.ClientFrames;
import io.duet.realtime.session.ConnectBudget;
import io.duet.realtime.session.Presence;
import io.duet.realtime.session.Session;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.serde.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/realtime?token=ACCESS_TOKEN&after=SEQ}, or the token as the subprotocol
 * {@code duet.token.<ACCESS_TOKEN>} next to {@code duet} (browsers cannot set headers on a WebSocket;
 * the server answers with {@code duet}). The token is checked before anything else; a bad one closes
 * with 4501, an expired one with 4010. A client frame is one text frame holding a JSON object, at most
 * {@link RealtimeConfig#maxFrameBytes()} bytes (4 KiB by default; 1009 beyond).
 *
 * <p>Served by Netty directly, beside Micronaut's HTTP handling on the same port: a handler sits right
 * after the HTTP codec of every HTTP/1 connection and passes everything on except an upgrade request for
 * this path. For that one it takes the connection over: Micronaut's handlers leave the pipeline, Netty's
 * handshaker answers 101 and installs the frame codec, and what stays per connection is the channel, the
 * codec, one small {@link Inbound} handler and the {@link WebSocketConnection} with its {@link Session}. A Micronaut WebSocket session kept
 * about 6 KB more per idle connection (the upgrade request, its headers and route match, an idle-state
 * handler with three timers); at tens of thousands of connections per node that is the node's memory.
 */
@Singleton
public class WebSocketTransport implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);
    public static final String PATH = "/v1/realtime";
    private static final String HANDLER = "duet-realtime-websocket";
    /** Frames up to this are decoded and then refused by size with a reason; beyond it the decoder closes with 1009 itself. */
    private static final int DECODER_LIMIT = 65536;

    private final Node node;
    private final AccessTokens tokens;
    private final ConnectBudget budget;
    private final Presence presence;
    private final ClientFrames frames;
    private final Session.Log log;
    private final RealtimeConfig config;
    private final ObjectMapper json;
    private final Upgrade upgrade = new Upgrade();
    private final AtomicLong serials = new AtomicLong();

    WebSocketTransport(
            Node node,
            AccessTokens tokens,
            ConnectBudget budget,
            Presence presence,
            ClientFrames frames,
            UserEvents events,
            RealtimeConfig config,
            ObjectMapper json) {
        this.node = node;
        this.tokens = tokens;
        this.budget = budget;
        this.presence = presence;
        this.frames = frames;
        this.log = Session.Log.of(events);
        this.config = config;
        this.json = json;
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        AfterHttpCodec.register(event.getBean(), HANDLER, () -> upgrade);
        return event.getBean();
    }

    /** Lets every request through except a WebSocket upgrade of {@link #PATH}, which it takes over. */
    @ChannelHandler.Sharable
    private final class Upgrade extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request && isUpgrade(request)) {
                takeOver(ctx, request);
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static boolean isUpgrade(HttpRequest request) {
        String uri = request.uri();
        return request.method().equals(HttpMethod.GET)
                && uri.startsWith(PATH)
                && (uri.length() == PATH.length() || uri.charAt(PATH.length()) == '?')
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /**
     * Removes Micronaut's handlers (the request never reached them), answers the handshake and either
     * starts the connection or closes it with the code that says why. A keep-alive connection that served
     * API requests before may upgrade (tested); an upgrade pipelined behind a request whose answer has not
     * been written yet would cut that answer off, which no WebSocket client does.
     */
    private void takeOver(ChannelHandlerContext ctx, HttpRequest request) {
        Channel channel = ctx.channel();
        ChannelPipeline pipeline = channel.pipeline();
        for (String name : pipeline.names()) {
            ChannelHandler handler = pipeline.get(name);
            // Everything Micronaut added goes: its request handling after the codec, idle and read timers before it
            // (the node's own heartbeat watches WebSockets). TLS, the codec (the handshaker replaces it) and this stay.
            if (handler != null
                    && !(handler instanceof SslHandler)
                    && !(handler instanceof HttpServerCodec)
                    && !name.equals(HANDLER)) {
                pipeline.remove(name);
            }
        }
        Inbound inbound = new Inbound();
        pipeline.replace(HANDLER, HANDLER, inbound);
        // Micronaut reads on demand (auto-read off) and the handler that asked for reads is gone.
        channel.config().setAutoRead(true);

        String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                        "ws://" + host + PATH, "duet", false, DECODER_LIMIT)
                .newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel)
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        HttpHeaders answer = new DefaultHttpHeaders().add(HttpHeaderNames.SET_COOKIE, node.affinityCookie());
        // An upgrade request has no body: the handshaker takes it whole instead of aggregating it first.
        handshaker.handshake(
                channel,
                new DefaultFullHttpRequest(
                        request.protocolVersion(),
                        request.method(),
                        request.uri(),
                        Unpooled.EMPTY_BUFFER,
                        request.headers(),
                        EmptyHttpHeaders.INSTANCE),
                answer,
                channel.newPromise());
        // A text frame that is not UTF-8 fails the connection with 1007, as RFC 6455 says (Netty's validator writes
        // it).
        pipeline.addBefore(HANDLER, "duet-realtime-utf8", new Utf8FrameValidator(true));
        if (node.draining()) {
            long delay = node.reconnectDelayMs();
            channel.write(new TextWebSocketFrame(Frames.reconnect(delay, CloseCode.SHUTTING_DOWN.reason())));
            closeNow(channel, CloseCode.SHUTTING_DOWN, delay);
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        AccessTokens.Verified caller;
        try {
            caller = tokens.verify(AccessTokens.presented(request.headers(), query.parameters()), null);
        } catch (AccessTokens.RejectedException e) {
            closeNow(channel, e.expired() ? CloseCode.TOKEN_EXPIRED : CloseCode.UNAUTHORIZED, 0);
            return;
        }
        Long from;
        try {
            from = Frames.after(first(query, "after").orElse(null));
        } catch (IllegalArgumentException e) {
            closeNow(channel, CloseCode.BAD_FRAME, 0);
            return;
        }
        Session session =
                new Session(caller.accountId(), caller.sessionId(), log, node.blocking(), node::reconnectDelayMs);
        WebSocketConnection connection =
                new WebSocketConnection(serials.incrementAndGet(), channel, session, caller.expiresAt(), node, config);
        inbound.connection = connection;
        Long start = from;
        node.blocking().execute(() -> start(connection, caller, start));
    }

    private static void closeNow(Channel channel, CloseCode code, long retryMs) {
        channel.writeAndFlush(new CloseWebSocketFrame(code.code(), Frames.closeReason(code, retryMs)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void start(WebSocketConnection connection, AccessTokens.Verified caller, Long after) {
        Session session = connection.session();
        try {
            long wait = budget.take(session.user());
            if (wait > 0) {
                session.reconnect(CloseCode.TOO_MANY_CONNECTS, ConnectBudget.jittered(wait));
                return;
            }
            if (node.revokedNow(caller)) {
                session.close(CloseCode.UNAUTHORIZED, 0);
                return;
            }
            UUID partner = node.partnerOf(session.user());
            if (connection.isClosed()) {
                return;
            }
            node.opened(connection);
            node.hold(session);
            presence.join(session.user(), partner, connection.id(), config.registrationTtl());
            if (partner != null) {
                session.sendOwn(Frames.presenceSnapshot(partner.toString(), presence.online(partner)));
            }
            session.start(after);
            if (connection.isClosed()) {
                node.closed(connection);
            }
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .addKeyValue("accountId", session.user())
                    .addKeyValue("error", e.toString())
                    .log("realtime connection not started");
            session.reconnect(CloseCode.SHUTTING_DOWN, node.reconnectDelayMs());
            node.closed(connection);
        }
    }

    /** One per WebSocket: client frames to the connection, the channel's end to the node. */
    private final class Inbound extends ChannelInboundHandlerAdapter {
        /** Null while refused (the close frame is on its way). */
        private WebSocketConnection connection;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof WebSocketFrame frame) {
                    frame(ctx, frame);
                } else if (!(msg instanceof HttpContent)) {
                    // the upgrade request's (empty) end arrives after the handover; nothing else is expected
                    LOG.atDebug()
                            .addKeyValue("type", msg.getClass().getSimpleName())
                            .log("realtime: unexpected inbound message");
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void frame(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                if (connection != null) {
                    connection.closeQuietly();
                }
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode() < 0 ? 1000 : close.statusCode(), ""))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (connection == null) {
                return;
            }
            connection.touched();
            if (frame instanceof PingWebSocketFrame) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
                return;
            }
            if (frame instanceof PongWebSocketFrame) {
                return;
            }
            if (!(frame instanceof TextWebSocketFrame text) || !frame.isFinalFragment()) {
                // binary, or a fragmented message: Duet's clients send each JSON object as one text frame
                connection.session().close(CloseCode.BAD_FRAME, 0);
                return;
            }
            if (text.content().readableBytes() > config.maxFrameBytes()) {
                connection.session().close(CloseCode.TOO_LARGE, 0);
                return;
            }
            if (!connection.allowFrame(System.nanoTime())) {
                connection.session().close(CloseCode.TOO_MANY_FRAMES, node.reconnectDelayMs());
                return;
            }
            Optional<Frames.ClientFrame> parsed = Frames.parse(json, text.text());
            if (parsed.isEmpty()) {
                connection.session().close(CloseCode.BAD_FRAME, 0);
                return;
            }
            WebSocketConnection open = connection;
            open.handleInOrder(() -> frames.handle(open.user(), node.partnerOf(open.user()), parsed.get())
                    .ifPresent(error -> open.session().sendOwn(Frames.error(error))));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (connection != null) {
                connection.closeQuietly();
                node.closed(connection);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A protocol violation (bad masking, a frame over the decoder's limit) has had its close frame sent
            // by the decoder already; anything else is a broken connection.
            LOG.atDebug().addKeyValue("error", cause.toString()).log("realtime connection error");
            ctx.close();
        }
    }

    private static Optional<String> first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
