package io.duet.realtime.transport;

import io.duet.api.events.UserEvents;
import io.duet.api.web.ClientAddress;
import io.duet.api.web.Problem;
import io.duet.api.web.ProblemException;
import io.duet.api.web.RequestIdFilter;
import io.duet.api.web.ServiceOverloadedException;
import io.duet.api.web.UnauthorizedException;
import io.duet.realtime.Node;
import io.duet.realtime.RealtimeConfig;
import io.duet.realtime.protocol.CloseCode;
import io.duet.realtime.protocol.Frames;
import io.duet.realtime.protocol.RealtimeProblems;
import io.duet.realtime.session.AccessTokens;
import io.duet.realtime.session.ClientFrames;
import io.duet.realtime.session.ConnectBudget;
import io.duet.realtime.session.Session;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.serde.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-polling transport, same events and order as the WebSocket:
 * {@code POST /v1/realtime/sessions} → {@code 201 {"sid":...,"holdMs":...}};
 * {@code GET /v1/realtime/sessions/{sid}/events?after=SEQ} → {@code {"events":[...]}}, at once when
 * events wait, else after up to {@link RealtimeConfig#pollHold()};
 * {@code POST /v1/realtime/sessions/{sid}/events} with one client frame → 202;
 * {@code DELETE /v1/realtime/sessions/{sid}} → 204. Every call carries the access token
 * ({@code Authorization: Bearer}, or {@code ?token=}); the client's position is its own {@code after}, so
 * a poll answered by any node, or after a switch from the WebSocket, continues exactly where it was.
 * Failures are the API's problem documents ({@code api/PROBLEMS.md}), with its {@code X-Request-Id}.
 *
 * <p>Served by Netty directly, like the WebSocket: a handler right after the HTTP/1 codec of each
 * connection takes the requests under {@link #PATH} and passes every other one on to Micronaut. On this
 * transport every event costs a whole request (the answer, then the next poll), and Micronaut's routing,
 * filters, security and response encoding were most of a poll's CPU. The Redis work and the hold run on
 * the node's virtual threads, as before; the answer is written from there.
 *
 * <p>Like any HTTP/1 server, it answers a connection's requests in order only if the client waits for
 * each answer before the next request; no browser or mobile HTTP stack pipelines.
 */
@Singleton
class PollTransport implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private static final Logger LOG = LoggerFactory.getLogger(PollTransport.class);
    static final String PATH = "/v1/realtime/sessions";
    private static final String HANDLER = "duet-realtime-polling";
    private static final String EVENTS = "/events";
    /** Events answered per poll at most; the client polls again at once for the rest. */
    private static final int PAGE = 500;

    private static final AsciiString JSON = AsciiString.cached("application/json");
    private static final AsciiString PROBLEM_JSON = AsciiString.cached(Problem.MEDIA_TYPE);

    private final Node node;
    private final AccessTokens tokens;
    private final PollSessions sessions;
    private final ConnectBudget budget;
    private final ClientFrames frames;
    private final Session.Log log;
    private final RealtimeConfig config;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final Map<String, Counter> answered = new ConcurrentHashMap<>();
    /** Polls waiting for an event right now. */
    private final AtomicInteger held = new AtomicInteger();

    private final HeldPolls caps;
    private final ClientAddress addresses;

    PollTransport(
            Node node,
            AccessTokens tokens,
            PollSessions sessions,
            ConnectBudget budget,
            ClientFrames frames,
            UserEvents events,
            RealtimeConfig config,
            ObjectMapper json,
            MeterRegistry meters,
            ClientAddress addresses) {
        this.caps = new HeldPolls(config);
        this.addresses = addresses;
        this.node = node;
        this.tokens = tokens;
        this.sessions = sessions;
        this.budget = budget;
        this.frames = frames;
        this.log = Session.Log.of(events);
        this.config = config;
        this.json = json;
        this.meters = meters;
        Gauge.builder("duet.realtime.poll.held", held, AtomicInteger::get)
                .description("Long-polls held open, waiting for an event")
                .register(meters);
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        AfterHttpCodec.register(event.getBean(), HANDLER, Routes::new);
        return event.getBean();
    }

    static boolean isOurs(String uri) {
        return uri.startsWith(PATH)
                && (uri.length() == PATH.length()
                        || uri.charAt(PATH.length()) == '/'
                        || uri.charAt(PATH.length()) == '?');
    }

    /** The paths under {@link #PATH}; {@code tag} names them in metrics and logs. */
    private enum Route {
        SESSIONS("sessions"),
        SESSION("session"),
        EVENTS("events"),
        UNKNOWN("unknown");

        final String tag;

        Route(String tag) {
            this.tag = tag;
        }
    }

    /** What a request is answered with. */
    private record Answer(
            HttpResponseStatus status, AsciiString type, String body, Map<String, String> headers, boolean affinity) {
        static Answer json(HttpResponseStatus status, String body) {
            return new Answer(status, JSON, body, Map.of(), true);
        }

        static Answer empty(HttpResponseStatus status) {
            return new Answer(status, null, null, Map.of(), status != HttpResponseStatus.NO_CONTENT);
        }

        static Answer events(List<String> events) {
            return json(HttpResponseStatus.OK, "{\"events\":[" + String.join(",", events) + "]}");
        }
    }

    /** A request of ours: its head, and its body while it is read (a client frame is small; more is refused). */
    private final class Exchange {
        final HttpRequest request;
        final Route route;
        /** The sid segment of {@code /sessions/{sid}} or {@code /sessions/{sid}/events}, undecoded (a sid needs no escapes). */
        final String sid;

        final boolean keepAlive;
        final String requestId;
        private byte[] body = new byte[0];
        private boolean tooLarge;
        private QueryStringDecoder query;

        Exchange(HttpRequest request) {
            this.request = request;
            this.keepAlive = HttpUtil.isKeepAlive(request);
            this.requestId = RequestIdFilter.idFor(request.headers().get(RequestIdFilter.HEADER));
            // The path, parsed once: /sessions, /sessions/{sid} or /sessions/{sid}/events.
            String uri = request.uri();
            int query = uri.indexOf('?');
            String path = query < 0 ? uri : uri.substring(0, query);
            if (path.length() <= PATH.length()) {
                this.route = Route.SESSIONS;
                this.sid = null;
            } else {
                String rest = path.substring(PATH.length() + 1);
                int slash = rest.indexOf('/');
                this.sid = slash < 0 ? rest : rest.substring(0, slash);
                this.route =
                        slash < 0 ? Route.SESSION : rest.substring(slash).equals(EVENTS) ? Route.EVENTS : Route.UNKNOWN;
            }
            this.tooLarge = HttpUtil.getContentLength(request, 0L) > config.maxFrameBytes();
        }

        void append(ByteBuf content) {
            int length = content.readableBytes();
            if (tooLarge || length == 0) {
                return;
            }
            if (body.length + length > config.maxFrameBytes()) {
                tooLarge = true;
                body = null;
                return;
            }
            byte[] grown = Arrays.copyOf(body, body.length + length);
            content.getBytes(content.readerIndex(), grown, body.length, length);
            body = grown;
        }

        /** The query parameter's first value, or null. */
        String parameter(String name) {
            List<String> values = queryParameters().get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        Map<String, List<String>> queryParameters() {
            if (query == null) {
                query = new QueryStringDecoder(request.uri());
            }
            return query.parameters();
        }

        /** The body as text; bytes that are not UTF-8 make it a bad frame, as they close a WebSocket (1007). */
        String bodyText() {
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new RealtimeProblems.BadFrameException();
            }
        }
    }

    /** One per HTTP/1 connection: takes the requests under {@link #PATH}, passes the rest on to Micronaut. */
    private final class Routes extends ChannelInboundHandlerAdapter {
        /** A request of ours whose body is being read. */
        private Exchange reading;
        /** The rest of a request refused for its announced size is dropped (the connection closes after the answer). */
        private boolean discarding;
        /** The poll held for this connection, if any: woken when the client goes away, so the hold ends with it. */
        private volatile PollAnswer holding;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (discarding && msg instanceof HttpContent) {
                discarding = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            // a request the codec could not parse goes to Micronaut, which answers it 400
            if (msg instanceof HttpRequest request
                    && isOurs(request.uri())
                    && request.decoderResult().isSuccess()) {
                reading = new Exchange(request);
                if (reading.tooLarge) {
                    // refused before a byte of it is buffered
                    Exchange refused = reading;
                    reading = null;
                    discarding = !(msg instanceof LastHttpContent);
                    ReferenceCountUtil.release(msg);
                    write(ctx, refused, tooLarge(refused), true);
                    return;
                }
                if (HttpUtil.is100ContinueExpected(request)) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
                }
                if (!(msg instanceof HttpContent)) {
                    return;
                }
            }
            if (reading != null && msg instanceof HttpContent content) {
                Exchange exchange = reading;
                try {
                    exchange.append(content.content());
                } finally {
                    content.release();
                }
                if (content instanceof LastHttpContent) {
                    reading = null;
                    handle(ctx, this, exchange);
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            PollAnswer answer = holding;
            if (answer != null) {
                answer.finish();
            }
            ctx.fireChannelInactive();
        }
    }

    private void handle(ChannelHandlerContext ctx, Routes routes, Exchange exchange) {
        HttpMethod method = exchange.request.method();
        if (exchange.tooLarge) {
            write(ctx, exchange, tooLarge(exchange), false);
            return;
        }
        try {
            switch (exchange.route) {
                case SESSIONS -> {
                    if (method.equals(HttpMethod.POST)) {
                        create(ctx, exchange);
                    } else {
                        write(ctx, exchange, notAllowed(exchange, "POST"), false);
                    }
                }
                case EVENTS -> {
                    if (method.equals(HttpMethod.GET)) {
                        poll(ctx, routes, exchange);
                    } else if (method.equals(HttpMethod.POST)) {
                        send(ctx, exchange);
                    } else {
                        write(ctx, exchange, notAllowed(exchange, "GET, POST"), false);
                    }
                }
                case SESSION -> {
                    if (method.equals(HttpMethod.DELETE)) {
                        end(ctx, exchange);
                    } else {
                        write(ctx, exchange, notAllowed(exchange, "DELETE"), false);
                    }
                }
                default ->
                    write(ctx, exchange, problem(exchange, Problem.ofStatus(HttpStatus.NOT_FOUND), Map.of()), false);
            }
        } catch (ProblemException e) {
            write(ctx, exchange, problem(exchange, e), false);
        } catch (RuntimeException e) {
            LOG.atError()
                    .addKeyValue("requestId", exchange.requestId)
                    .addKeyValue("route", exchange.route.tag)
                    .setCause(e)
                    .log("long-poll request failed");
            write(
                    ctx,
                    exchange,
                    problem(exchange, Problem.ofStatus(HttpStatus.INTERNAL_SERVER_ERROR), Map.of()),
                    false);
        }
    }

    private void create(ChannelHandlerContext ctx, Exchange exchange) {
        AccessTokens.Verified caller = verify(exchange);
        onBlocking(ctx, exchange, () -> {
            long wait = budget.take(caller.accountId());
            if (wait > 0) {
                throw new RealtimeProblems.TooManyConnectsException(ConnectBudget.jittered(wait));
            }
            refuseRevoked(caller);
            PollSessions.Session session = sessions.create(node.id(), caller.accountId());
            node.polledHere(session.sid(), session.user(), true);
            return Answer.json(
                    HttpResponseStatus.CREATED,
                    "{\"sid\":\"" + session.sid() + "\",\"holdMs\":"
                            + config.pollHold().toMillis() + "}");
        });
    }

    private void poll(ChannelHandlerContext ctx, Routes routes, Exchange exchange) {
        AccessTokens.Verified caller = verify(exchange);
        Long after = after(exchange);
        String sid = exchange.sid;
        String address = clientAddress(ctx, exchange);
        onBlocking(ctx, exchange, () -> {
            refuseRevoked(caller);
            if (node.draining()) {
                sessions.touch(sid, caller.accountId()).orElseThrow(RealtimeProblems.SessionNotFoundException::new);
                return Answer.events(
                        List.of(Frames.reconnect(node.reconnectDelayMs(), CloseCode.SHUTTING_DOWN.reason())));
            }
            UUID user = caller.accountId();
            // The session is held (live events held back) before the log is read, so nothing appended after
            // the read is missed; the read, the sid's check and the node's registration are one round trip.
            Session session = new Session(user, caller.sessionId(), log, node.blocking(), node::reconnectDelayMs);
            PollAnswer answer = new PollAnswer(session, PAGE);
            node.holdRegistered(session);
            routes.holding = answer;
            try {
                PollSessions.Poll poll = sessions.poll(sid, user, node.id(), after, PAGE);
                PollSessions.Session known = poll.session().orElseThrow(RealtimeProblems.SessionNotFoundException::new);
                node.polledHere(sid, known.user(), false);
                session.start(
                        after != null ? after : poll.lastSeq(),
                        new UserEvents.Page(poll.events(), poll.lastSeq(), poll.gap()));
                if (answer.ready()) {
                    return Answer.events(answer.take());
                }
                caps.admit(sid, user, address, answer);
                try {
                    long holdMs = Math.min(
                            config.pollHold().toMillis(),
                            Math.max(
                                    0,
                                    Duration.between(Instant.now(), caller.expiresAt())
                                            .toMillis()));
                    held.incrementAndGet();
                    try {
                        node.awayFromPools(() -> {
                            answer.await(holdMs);
                            return null;
                        });
                    } finally {
                        held.decrementAndGet();
                    }
                    if (!ctx.channel().isActive()) {
                        return null;
                    }
                    return Answer.events(answer.take());
                } finally {
                    caps.release(sid, user, address, answer);
                }
            } finally {
                routes.holding = null;
                session.end();
                node.release(session);
            }
        });
    }

    private void send(ChannelHandlerContext ctx, Exchange exchange) {
        AccessTokens.Verified caller = verify(exchange);
        String body = exchange.bodyText();
        if (body.isEmpty()) {
            throw new RealtimeProblems.BadFrameException();
        }
        Frames.ClientFrame frame = Frames.parse(json, body).orElseThrow(RealtimeProblems.BadFrameException::new);
        String sid = exchange.sid;
        onBlocking(ctx, exchange, () -> {
            refuseRevoked(caller);
            PollSessions.Session session =
                    sessions.touch(sid, caller.accountId()).orElseThrow(RealtimeProblems.SessionNotFoundException::new);
            frames.apply(session.user(), node.partnerOf(session.user()), frame);
            return Answer.empty(HttpResponseStatus.ACCEPTED);
        });
    }

    private void end(ChannelHandlerContext ctx, Exchange exchange) {
        AccessTokens.Verified caller = verify(exchange);
        String sid = exchange.sid;
        onBlocking(ctx, exchange, () -> {
            PollSessions.Session session =
                    sessions.touch(sid, caller.accountId()).orElseThrow(RealtimeProblems.SessionNotFoundException::new);
            sessions.delete(sid, caller.accountId());
            node.sessionEnded(sid, session.user());
            return Answer.empty(HttpResponseStatus.NO_CONTENT);
        });
    }

    /** A session that has ended (sign-out, revocation, deleted account) gets the same 401 as a bad token. Blocking. */
    private void refuseRevoked(AccessTokens.Verified caller) {
        if (node.revoked(caller)) {
            throw new UnauthorizedException();
        }
    }

    /** The client's address for the per-address cap: the socket's peer, or behind a trusted proxy its X-Forwarded-For. */
    private String clientAddress(ChannelHandlerContext ctx, Exchange exchange) {
        InetAddress peer =
                ctx.channel().remoteAddress() instanceof InetSocketAddress socket ? socket.getAddress() : null;
        return addresses.of(peer, exchange.request.headers().getAll("X-Forwarded-For"));
    }

    /** The {@code after} query parameter, read as the WebSocket reads it ({@link Frames#after}). */
    private static Long after(Exchange exchange) {
        try {
            return Frames.after(exchange.parameter("after"));
        } catch (IllegalArgumentException e) {
            throw new RealtimeProblems.BadAfterException();
        }
    }

    /** The caller, from the token presented as on a WebSocket ({@link AccessTokens#presented}), checked like the API checks it. */
    private AccessTokens.Verified verify(Exchange exchange) {
        String token = AccessTokens.presented(exchange.request.headers(), exchange.queryParameters());
        try {
            return tokens.verify(token, null);
        } catch (AccessTokens.RejectedException e) {
            throw e.expired() ? new RealtimeProblems.TokenExpiredException() : new UnauthorizedException();
        }
    }

    private interface Work {
        /** The answer, or null when there is nobody left to answer. */
        Answer run() throws Exception;
    }

    /** Redis and the hold block a virtual thread, never Netty's event loop; the answer is written from there. */
    private void onBlocking(ChannelHandlerContext ctx, Exchange exchange, Work work) {
        node.blocking().execute(() -> {
            Answer answer;
            try {
                answer = work.run();
            } catch (ProblemException e) {
                answer = problem(exchange, e);
            } catch (Exception e) {
                // Redis away or too slow: the client retries the same request (its position is its own).
                LOG.atWarn()
                        .addKeyValue("requestId", exchange.requestId)
                        .addKeyValue("route", exchange.route.tag)
                        .addKeyValue("error", e.toString())
                        .log("long-poll request failed");
                answer = problem(exchange, new ServiceOverloadedException(Duration.ofSeconds(1)));
            }
            if (answer != null) {
                write(ctx, exchange, answer, false);
            }
        });
    }

    /** A body over {@link RealtimeConfig#maxFrameBytes()}: no client frame is that large. */
    private Answer tooLarge(Exchange exchange) {
        return problem(exchange, Problem.ofStatus(HttpStatus.REQUEST_ENTITY_TOO_LARGE), Map.of());
    }

    private Answer notAllowed(Exchange exchange, String allowed) {
        return problem(exchange, Problem.ofStatus(HttpStatus.METHOD_NOT_ALLOWED), Map.of("Allow", allowed));
    }

    private Answer problem(Exchange exchange, ProblemException e) {
        return problem(exchange, e.toProblem(), e.headers());
    }

    private Answer problem(Exchange exchange, Problem problem, Map<String, String> headers) {
        String body;
        try {
            body = json.writeValueAsString(problem.withRequestId(exchange.requestId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Answer(HttpResponseStatus.valueOf(problem.status()), PROBLEM_JSON, body, headers, false);
    }

    private void write(ChannelHandlerContext ctx, Exchange exchange, Answer answer, boolean close) {
        ByteBuf content = answer.body() == null
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(answer.body().getBytes(StandardCharsets.UTF_8));
        FullHttpResponse response =
                new DefaultFullHttpResponse(exchange.request.protocolVersion(), answer.status(), content);
        HttpHeaders headers = response.headers();
        if (answer.type() != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, answer.type());
        }
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        headers.set(RequestIdFilter.HEADER, exchange.requestId);
        if (answer.affinity()) {
            headers.set(HttpHeaderNames.SET_COOKIE, node.affinityCookie());
        }
        answer.headers().forEach(headers::set);
        boolean keepAlive = exchange.keepAlive && !close;
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (exchange.request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        answered.computeIfAbsent(
                        exchange.route.tag + ' ' + answer.status().code(),
                        key -> Counter.builder("duet.realtime.poll.requests")
                                .description("Long-polling transport requests answered, by route and status")
                                .tag("route", exchange.route.tag)
                                .tag("status", Integer.toString(answer.status().code()))
                                .register(meters))
                .increment();
    }
}
