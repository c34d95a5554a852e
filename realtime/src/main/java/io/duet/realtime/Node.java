package io.duet.realtime;

import io.duet.api.events.UserEvents;
import io.duet.api.redis.RedisConfig;
import io.duet.realtime.fanout.Fanout;
import io.duet.realtime.protocol.CloseCode;
import io.duet.realtime.protocol.Frames;
import io.duet.realtime.session.AccessTokens;
import io.duet.realtime.session.Partners;
import io.duet.realtime.session.Presence;
import io.duet.realtime.session.Revocations;
import io.duet.realtime.session.Session;
import io.duet.realtime.transport.PollSessions;
import io.duet.realtime.transport.WebSocketConnection;
import io.duet.realtime.transport.WebSocketTransport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.http.netty.channel.EventLoopGroupRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import jakarta.annotation.PreDestroy;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway node: which users' connections it holds, the fan-out subscription (its own Redis channel,
 * which {@link UserEvents} publishes to for every user registered to this node), the periodic work
 * (registration and presence refresh, heartbeats, token expiry, abandoned long-poll sessions) and the
 * drain on shutdown. Transports hand it their connections; it never knows which transport one is.
 */
@Context
public class Node implements ApplicationEventListener<ShutdownEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    /** The cookie a load balancer can route on to reach this node again; only an optimisation (any node serves any poll). */
    static final String AFFINITY_COOKIE = "duet_rt_node";

    private final String id;
    private final String affinityCookie;
    private final RealtimeConfig config;
    private final UserEvents events;
    private final Presence presence;
    private final Partners partners;
    private final Revocations revocations;
    private final Fanout fanout;
    /**
     * Connections with frames queued by the fan-out read in progress, by event loop; touched only on the
     * fan-out's loop. Flushed at the end of each read: one task per other loop, not one per event.
     */
    private final List<WebSocketConnection> drainHere = new ArrayList<>();

    private final Map<EventLoop, List<WebSocketConnection>> drainElsewhere = new HashMap<>();
    private boolean dispatching;
    private final Map<UUID, Set<Session>> held = new ConcurrentHashMap<>();
    private final Set<WebSocketConnection> connections = ConcurrentHashMap.newKeySet();
    /** Long-polling sessions served here recently: sid → (user, last poll in nanos). */
    private final Map<String, PolledSession> polled = new ConcurrentHashMap<>();
    /** How many of those sessions each user has (so a poll's release needs no scan). */
    private final Map<UUID, Integer> pollingUsers = new ConcurrentHashMap<>();

    private final AtomicBoolean draining = new AtomicBoolean();
    /** Redis and JDBC calls of the gateway run here, never on Netty's or Redisson's event loops. */
    private final ExecutorService virtualThreads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("rt-", 0).factory());
    /**
     * How many of those tasks talk to Redis or PostgreSQL at once. Without a bound a reconnect storm of
     * thousands of clients starts thousands of calls that wait for a pooled connection and time out;
     * with it they queue (cheaply: virtual threads) and go through at the pools' pace.
     */
    private final Semaphore permits = new Semaphore(32);

    private final Executor blocking = task -> virtualThreads.execute(() -> {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("realtime task failed");
        } finally {
            permits.release();
        }
    });
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("rt-timer").factory());

    record PolledSession(UUID user, long lastPollNanos) {}

    Node(
            RealtimeConfig config,
            UserEvents events,
            Presence presence,
            Partners partners,
            Revocations revocations,
            RedisConfig redis,
            RedissonClient redisson,
            EventLoopGroupRegistry loops,
            MeterRegistry meters) {
        this.config = config;
        this.id = config.nodeId().isEmpty()
                ? "n" + HexFormat.of().formatHex(new SecureRandom().generateSeed(5))
                : config.nodeId();
        DefaultCookie affinity = new DefaultCookie(AFFINITY_COOKIE, id);
        affinity.setPath(WebSocketTransport.PATH);
        affinity.setHttpOnly(true);
        affinity.setSameSite(CookieHeaderNames.SameSite.Lax);
        this.affinityCookie = ServerCookieEncoder.STRICT.encode(affinity);
        this.events = events;
        this.presence = presence;
        this.partners = partners;
        this.revocations = revocations;
        // One of the HTTP server's own loops: deliveries to connections on it need no further hop.
        EventLoop fanoutLoop = loops.getDefaultEventLoopGroup().next();
        this.fanout = new Fanout(
                config.fanoutOwnClient(),
                redis,
                redisson,
                UserEvents.nodeChannel(id),
                fanoutLoop,
                new Fanout.Handler() {
                    @Override
                    public void message(ByteBuf payload) {
                        dispatch(payload);
                    }

                    @Override
                    public void readComplete() {
                        flushDrains();
                    }

                    @Override
                    public void resubscribed() {
                        recheckAll();
                    }
                });
        fanout.start(3000);
        Gauge.builder("duet.realtime.connections", connections, Set::size)
                .description("Open WebSocket connections")
                .register(meters);
        Gauge.builder("duet.realtime.poll.sessions", polled, Map::size)
                .description("Long-polling sessions seen lately")
                .register(meters);
        long refresh = Math.max(100, config.registrationTtl().toMillis() / 3);
        timer.scheduleWithFixedDelay(() -> blocking.execute(this::refresh), refresh, refresh, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::tick, 500, 500, TimeUnit.MILLISECONDS);
        LOG.atInfo().addKeyValue("nodeId", id).log("realtime node up");
    }

    public String id() {
        return id;
    }

    /** {@code Set-Cookie} of {@link #AFFINITY_COOKIE} with this node's id, for both transports' answers. */
    public String affinityCookie() {
        return affinityCookie;
    }

    public Executor blocking() {
        return blocking;
    }

    /**
     * Runs {@code wait} (a held long-poll) without the caller's permit, so that held polls do not keep
     * others from Redis. Call only from a task of {@link #blocking()}.
     */
    public <T> T awayFromPools(Callable<T> wait) throws Exception {
        permits.release();
        try {
            return wait.call();
        } finally {
            permits.acquireUninterruptibly();
        }
    }

    public boolean draining() {
        return draining.get();
    }

    int connectionCount() {
        return connections.size();
    }

    /** The user's partner now (null when not paired); asked at each use, see {@link Partners}. Blocking. */
    public UUID partnerOf(UUID user) {
        return partners.of(user);
    }

    /** Whether the caller's session has ended (signed out, revoked, account deleted). Blocking. */
    public boolean revoked(AccessTokens.Verified caller) {
        return revocations.revoked(caller);
    }

    /** {@link #revoked}, asking the database even if the session was found valid lately. Blocking. */
    public boolean revokedNow(AccessTokens.Verified caller) {
        return revocations.revokedNow(caller);
    }

    /** A jittered reconnect delay in [reconnectMin, reconnectWindow], so clients don't return at once. */
    public long reconnectDelayMs() {
        long min = config.reconnectMin().toMillis();
        long max = Math.max(min + 1, config.reconnectWindow().toMillis());
        return ThreadLocalRandom.current().nextLong(min, max);
    }

    /** Starts handing the user's live events to {@code session}; registers the user to this node. Blocking. */
    public void hold(Session session) {
        holdRegistered(session);
        events.registerNode(session.user(), id, config.registrationTtl());
    }

    /** {@link #hold} for a user this node has just registered ({@link #polledHere}): no Redis call. */
    public void holdRegistered(Session session) {
        held.computeIfAbsent(session.user(), key -> ConcurrentHashMap.newKeySet())
                .add(session);
    }

    /** Stops the user's live events for {@code session}; the last one unregisters the user. Blocking. */
    public void release(Session session) {
        UUID user = session.user();
        boolean[] last = {false};
        held.computeIfPresent(user, (key, set) -> {
            set.remove(session);
            last[0] = set.isEmpty();
            return set.isEmpty() ? null : set;
        });
        if (last[0] && !pollingHere(user)) {
            events.unregisterNode(user, id);
            // A hold that raced with this release must stay registered.
            if (held.containsKey(user)) {
                events.registerNode(user, id, config.registrationTtl());
            }
        }
    }

    public void opened(WebSocketConnection connection) {
        connections.add(connection);
    }

    /** A WebSocket closed: presence is settled after the grace if it was the user's last connection. */
    public void closed(WebSocketConnection connection) {
        if (connections.remove(connection)) {
            blocking.execute(() -> {
                release(connection.session());
                leave(connection.user(), connection.id());
            });
        }
    }

    /**
     * A long-poll (or a new session) was served here: keeps the session's presence and registration alive.
     * {@code register}: also register the user for fan-out (a poll has done that in its own script).
     */
    public void polledHere(String sid, UUID user, boolean register) {
        boolean first = polled.put(sid, new PolledSession(user, System.nanoTime())) == null;
        Duration ttl = PollSessions.ttl(config);
        if (register) {
            events.registerNode(user, id, ttl);
        }
        if (first) {
            pollingUsers.merge(user, 1, Integer::sum);
            presence.join(user, partnerOf(user), "lp:" + sid, ttl);
        }
    }

    /** The session was closed by its client (DELETE). */
    public void sessionEnded(String sid, UUID user) {
        forget(sid);
        leave(user, "lp:" + sid);
    }

    private boolean forget(String sid) {
        PolledSession session = polled.remove(sid);
        if (session == null) {
            return false;
        }
        uncount(session.user());
        return true;
    }

    /** One session of {@code user} fewer here. */
    private void uncount(UUID user) {
        pollingUsers.computeIfPresent(user, (key, count) -> count > 1 ? count - 1 : null);
    }

    private boolean pollingHere(UUID user) {
        return pollingUsers.containsKey(user);
    }

    private void leave(UUID user, String connectionId) {
        try {
            if (presence.leave(user, connectionId)) {
                timer.schedule(
                        () -> blocking.execute(() -> settle(user)),
                        config.presenceGrace().toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .addKeyValue("accountId", user)
                    .addKeyValue("error", e.toString())
                    .log("presence not updated");
        }
    }

    private void settle(UUID user) {
        try {
            presence.settle(user, partnerOf(user));
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .addKeyValue("accountId", user)
                    .addKeyValue("error", e.toString())
                    .log("presence not settled");
        }
    }

    /** A fan-out message {@code "<user uuid> <event json>"}; runs on the fan-out's event loop. */
    private void dispatch(ByteBuf message) {
        int start = message.readerIndex();
        if (message.readableBytes() < 38 || message.getByte(start + 36) != ' ') {
            return;
        }
        UUID user = Frames.uuidAt(message, start);
        if (user == null) {
            return;
        }
        if (Frames.typeStartsWith(message, start + 37, COUPLE_EVENTS)) {
            partners.changed(user);
        } else if (Frames.typeStartsWith(message, start + 37, REVOKED_SIGNAL)) {
            revoked(user, Frames.uuidAfter(message, start + 37, SESSION_ID_FIELD));
            return;
        }
        Set<Session> sessions = held.get(user);
        if (sessions == null) {
            return;
        }
        // One copy out of the read buffer, shared by the user's connections until their writes complete.
        int length = message.readableBytes() - 37;
        ByteBuf event = message.alloc().directBuffer(length);
        event.writeBytes(message, start + 37, length);
        long seq = Frames.seqOf(event);
        dispatching = true;
        try {
            for (Session session : sessions) {
                try {
                    session.event(seq, event);
                } catch (RuntimeException e) {
                    LOG.atWarn()
                            .addKeyValue("accountId", user)
                            .addKeyValue("error", e.toString())
                            .log("event not handed to a connection");
                }
            }
        } finally {
            event.release();
        }
    }

    private static final byte[] COUPLE_EVENTS = "couple.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] REVOKED_SIGNAL =
            (io.duet.api.session.RevokedSessions.SIGNAL + "\"").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SESSION_ID_FIELD =
            "\"sessionId\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * A session of {@code user} ended ({@code session} null: all of them): its WebSockets here are closed
     * with 4501 and its held long-polls answered, so that their next request meets the revocation. The
     * signal itself never reaches a client. Runs on the fan-out's loop.
     */
    private void revoked(UUID user, UUID session) {
        revocations.forget(user, session);
        Set<Session> sessions = held.get(user);
        if (sessions == null) {
            return;
        }
        for (Session open : sessions) {
            if (session == null || session.equals(open.signIn())) {
                open.close(CloseCode.UNAUTHORIZED, 0);
            }
        }
        LOG.atInfo()
                .addKeyValue("accountId", user)
                .addKeyValue("sessionId", session)
                .log("revoked session's live connections closed");
    }

    /**
     * A connection has frames queued: drain it on its event loop. During a fan-out read this is batched
     * ({@link #flushDrains} at the end of the read); from anywhere else it is one task.
     */
    public void drainLater(WebSocketConnection connection) {
        EventLoop target = connection.loop();
        if (fanout.loop().inEventLoop() && dispatching) {
            if (target == fanout.loop()) {
                drainHere.add(connection);
            } else {
                drainElsewhere
                        .computeIfAbsent(target, loop -> new ArrayList<>())
                        .add(connection);
            }
        } else if (SWEEP.get() != null) {
            SWEEP.get().computeIfAbsent(target, loop -> new ArrayList<>()).add(connection);
        } else {
            target.execute(connection::drain);
        }
    }

    /** Drains requested by this thread while it works through many connections (the drain on shutdown). */
    private static final ThreadLocal<Map<EventLoop, List<WebSocketConnection>>> SWEEP = new ThreadLocal<>();

    /** Runs {@code work} over many connections, then drains them in one task per event loop. */
    private void sweep(Runnable work) {
        Map<EventLoop, List<WebSocketConnection>> batches = new HashMap<>();
        SWEEP.set(batches);
        try {
            work.run();
        } finally {
            SWEEP.remove();
            drainOnTheirLoops(batches);
        }
    }

    /** One task per event loop, draining that loop's connections. */
    private static void drainOnTheirLoops(Map<EventLoop, List<WebSocketConnection>> batches) {
        for (var entry : batches.entrySet()) {
            List<WebSocketConnection> batch = entry.getValue();
            entry.getKey().execute(() -> {
                for (WebSocketConnection connection : batch) {
                    connection.drain();
                }
            });
        }
    }

    private void flushDrains() {
        dispatching = false;
        drainOnTheirLoops(drainElsewhere);
        drainElsewhere.clear();
        for (WebSocketConnection connection : drainHere) {
            connection.drain();
        }
        drainHere.clear();
    }

    /** The fan-out was re-established: what was published meanwhile is in the logs, not on the channel. */
    private void recheckAll() {
        for (Set<Session> sessions : held.values()) {
            for (Session session : sessions) {
                session.recheck();
            }
        }
    }

    /** Re-registers every held user and refreshes presence entries before they lapse. */
    private void refresh() {
        try {
            long now = System.nanoTime();
            Duration pollTtl = PollSessions.ttl(config);
            Map<String, UUID> live = new HashMap<>();
            for (WebSocketConnection connection : connections) {
                live.put(connection.id(), connection.user());
            }
            presence.refresh(live, config.registrationTtl());
            Map<String, UUID> polling = new HashMap<>();
            for (var entry : polled.entrySet()) {
                if (now - entry.getValue().lastPollNanos()
                        < config.sessionIdle().toNanos()) {
                    polling.put("lp:" + entry.getKey(), entry.getValue().user());
                }
            }
            presence.refresh(polling, pollTtl);
            events.registerNodes(held.keySet(), id, config.registrationTtl());
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .addKeyValue("nodeId", id)
                    .addKeyValue("error", e.toString())
                    .log("registration refresh failed");
        }
    }

    /** Twice a second: heartbeats, expired tokens, abandoned long-polling sessions. */
    private void tick() {
        try {
            long now = System.nanoTime();
            for (WebSocketConnection connection : connections) {
                connection.tick(now);
            }
            for (var entry : polled.entrySet()) {
                PolledSession session = entry.getValue();
                if (now - session.lastPollNanos() > PollSessions.ttl(config).toNanos()
                        && polled.remove(entry.getKey(), session)) {
                    uncount(session.user());
                    blocking.execute(() -> {
                        leave(session.user(), "lp:" + entry.getKey());
                        if (!held.containsKey(session.user()) && !pollingHere(session.user())) {
                            events.unregisterNode(session.user(), id);
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("realtime tick failed");
        }
    }

    Optional<WebSocketConnection> anyConnectionOf(UUID user) {
        return connections.stream()
                .filter(connection -> connection.user().equals(user))
                .findFirst();
    }

    /**
     * Drain: refuse new connections, tell every client to reconnect after its own jittered delay (so the
     * remaining nodes are not hit by all of them at once), close, and give the close frames a moment.
     */
    void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        // Every session, whichever its transport: WebSockets that are still starting are not held yet.
        Set<Session> open = new java.util.HashSet<>();
        connections.forEach(connection -> open.add(connection.session()));
        held.values().forEach(open::addAll);
        LOG.atInfo()
                .addKeyValue("nodeId", id)
                .addKeyValue("connections", connections.size())
                .addKeyValue("sessions", open.size())
                .log("realtime node draining");
        sweep(() -> {
            for (Session session : open) {
                session.reconnect(CloseCode.SHUTTING_DOWN, reconnectDelayMs());
            }
        });
        long deadline = System.nanoTime() + config.drainGrace().toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            for (UUID user : held.keySet()) {
                events.unregisterNode(user, id);
            }
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("registrations left to expire");
        }
    }

    @Override
    public void onApplicationEvent(ShutdownEvent event) {
        drain();
    }

    @PreDestroy
    void stop() {
        drain();
        fanout.stop();
        timer.shutdownNow();
        virtualThreads.shutdown();
    }
}
