package io.duet.realtime;

import io.duet.api.events.UserEvents;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketPongMessage;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnError;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import io.netty.channel.Channel;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/realtime?token=ACCESS_TOKEN&after=SEQ}, or the token as the subprotocol
 * {@code duet.token.<ACCESS_TOKEN>} next to {@code duet} (browsers cannot set headers on a WebSocket;
 * the server answers with {@code duet}). The token is checked before anything else; a bad one closes
 * with 4501, an expired one with 4010. Client frames are JSON objects, at most
 * {@link RealtimeConfig#maxFrameBytes()} (4 KiB by default: Netty closes with 1009 beyond).
 */
@ServerWebSocket(value = "/v1/realtime", subprotocols = "duet")
@Secured(SecurityRule.IS_ANONYMOUS)
class WebSocketTransport {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);
    private static final String CONNECTION = "duet.connection";
    private static final String TOKEN_PROTOCOL = "duet.token.";

    private final Node node;
    private final AccessTokens tokens;
    private final ConnectBudget budget;
    private final Presence presence;
    private final ClientFrames frames;
    private final UserEvents events;
    private final RealtimeConfig config;
    private final ObjectMapper json;

    WebSocketTransport(Node node, AccessTokens tokens, ConnectBudget budget, Presence presence, ClientFrames frames,
            UserEvents events, RealtimeConfig config, ObjectMapper json) {
        this.node = node;
        this.tokens = tokens;
        this.budget = budget;
        this.presence = presence;
        this.frames = frames;
        this.events = events;
        this.config = config;
        this.json = json;
    }

    @OnOpen
    void open(WebSocketSession session, HttpRequest<?> request) {
        Channel channel = ((NettyHttpRequest<?>) request).getChannelHandlerContext().channel();
        if (node.draining()) {
            long delay = node.reconnectDelayMs();
            session.sendAsync(Frames.reconnect(delay, CloseCode.SHUTTING_DOWN.reason()));
            session.close(new CloseReason(CloseCode.SHUTTING_DOWN.code(), Frames.closeReason(CloseCode.SHUTTING_DOWN, delay)));
            return;
        }
        AccessTokens.Verified caller;
        try {
            caller = tokens.verify(token(request), request);
        } catch (AccessTokens.RejectedException e) {
            CloseCode code = e.expired() ? CloseCode.TOKEN_EXPIRED : CloseCode.UNAUTHORIZED;
            session.close(new CloseReason(code.code(), Frames.closeReason(code, 0)));
            return;
        }
        Long after;
        try {
            after = request.getParameters().getFirst("after").map(Long::parseLong).orElse(null);
            if (after != null && after < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            session.close(new CloseReason(CloseCode.BAD_FRAME.code(), Frames.closeReason(CloseCode.BAD_FRAME, 0)));
            return;
        }
        Connection connection = new Connection(session.getId(), channel, caller.accountId(), caller.expiresAt(), node, events, config);
        session.put(CONNECTION, connection);
        node.blocking().execute(() -> start(connection, after));
    }

    private void start(Connection connection, Long after) {
        try {
            long wait = budget.take(connection.user());
            if (wait > 0) {
                long retry = wait + java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, wait / 2));
                connection.closeForReconnect(CloseCode.TOO_MANY_CONNECTS, retry);
                return;
            }
            UUID partner = node.partnerOf(connection.user());
            connection.partner(partner);
            if (connection.isClosed()) {
                return;
            }
            node.opened(connection);
            node.hold(connection.user(), connection);
            presence.join(connection.user(), partner, connection.id(), config.registrationTtl());
            if (partner != null) {
                connection.sendOwn(Frames.presenceSnapshot(partner.toString(), presence.online(partner)));
            }
            connection.start(after);
            if (connection.isClosed()) {
                node.closed(connection);
            }
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("accountId", connection.user()).addKeyValue("error", e.toString())
                    .log("realtime connection not started");
            connection.closeForReconnect(CloseCode.SHUTTING_DOWN, node.reconnectDelayMs());
            node.closed(connection);
        }
    }

    @OnMessage(maxPayloadLength = 65536)
    void message(String text, WebSocketSession session) {
        Optional<Connection> connection = session.get(CONNECTION, Connection.class);
        if (connection.isEmpty()) {
            return;
        }
        connection.get().touched();
        if (text.length() > config.maxFrameBytes()) {
            connection.get().close(CloseCode.TOO_LARGE, Frames.closeReason(CloseCode.TOO_LARGE, 0));
            return;
        }
        Optional<Frames.ClientFrame> frame = Frames.parse(json, text);
        if (frame.isEmpty()) {
            connection.get().close(CloseCode.BAD_FRAME, Frames.closeReason(CloseCode.BAD_FRAME, 0));
            return;
        }
        Connection open = connection.get();
        node.blocking().execute(() -> frames.handle(open.user(), open.partner(), frame.get())
                .ifPresent(error -> open.sendOwn(Frames.error(error))));
    }

    @OnMessage
    void pong(WebSocketPongMessage pong, WebSocketSession session) {
        session.get(CONNECTION, Connection.class).ifPresent(Connection::touched);
    }

    @OnClose
    void close(WebSocketSession session) {
        session.get(CONNECTION, Connection.class).ifPresent(connection -> {
            connection.closeQuietly();
            node.closed(connection);
        });
    }

    @OnError
    void error(WebSocketSession session, Throwable error) {
        LOG.atDebug().addKeyValue("error", error.toString()).log("realtime connection error");
    }

    /** The token from the query, else from the subprotocol list. */
    private static String token(HttpRequest<?> request) {
        Optional<String> query = request.getParameters().getFirst("token");
        if (query.isPresent()) {
            return query.get();
        }
        for (String offered : request.getHeaders().getAll("Sec-WebSocket-Protocol")) {
            for (String protocol : offered.split(",")) {
                String trimmed = protocol.trim();
                if (trimmed.startsWith(TOKEN_PROTOCOL)) {
                    return trimmed.substring(TOKEN_PROTOCOL.length());
                }
            }
        }
        return null;
    }
}
