package io.duet.realtime;

import io.duet.api.events.UserEvents;
import io.duet.api.web.UnauthorizedException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The long-polling transport, same events and order as the WebSocket:
 * {@code POST /v1/realtime/sessions} → {@code 201 {"sid":...}};
 * {@code GET /v1/realtime/sessions/{sid}/events?after=SEQ} → {@code {"events":[...]}}, at once when
 * events wait, else after up to {@link RealtimeConfig#pollHold()};
 * {@code POST /v1/realtime/sessions/{sid}/events} with one client frame → 202;
 * {@code DELETE /v1/realtime/sessions/{sid}} → 204. Every call carries the access token
 * ({@code Authorization: Bearer}, or {@code ?token=}); the client's position is its own {@code after}, so
 * a poll answered by any node, or after a switch from the WebSocket, continues exactly where it was.
 */
@Controller("/v1/realtime/sessions")
@Secured(SecurityRule.IS_ANONYMOUS)
class PollingController {
    static final String AFFINITY_COOKIE = "duet_rt_node";
    /** Events answered per poll at most; the client polls again at once for the rest. */
    private static final int PAGE = 500;

    private final Node node;
    private final AccessTokens tokens;
    private final PollSessions sessions;
    private final ConnectBudget budget;
    private final ClientFrames frames;
    private final UserEvents events;
    private final RealtimeConfig config;
    private final ObjectMapper json;

    PollingController(Node node, AccessTokens tokens, PollSessions sessions, ConnectBudget budget, ClientFrames frames,
            UserEvents events, RealtimeConfig config, ObjectMapper json) {
        this.node = node;
        this.tokens = tokens;
        this.sessions = sessions;
        this.budget = budget;
        this.frames = frames;
        this.events = events;
        this.config = config;
        this.json = json;
    }

    @Post
    CompletableFuture<MutableHttpResponse<String>> create(HttpRequest<?> request, @Nullable @QueryValue String token) {
        AccessTokens.Verified caller = verify(request, token);
        return onBlocking(() -> {
            long wait = budget.take(caller.accountId());
            if (wait > 0) {
                throw new RealtimeProblems.TooManyConnectsException(wait);
            }
            PollSessions.Session session = sessions.create(node.id(), caller.accountId(), node.partnerOf(caller.accountId()));
            node.polledHere(session.sid(), session.user(), session.partner(), true);
            String body = "{\"sid\":\"" + session.sid() + "\",\"holdMs\":" + config.pollHold().toMillis() + "}";
            return affinity(HttpResponse.created(body).contentType(MediaType.APPLICATION_JSON_TYPE));
        });
    }

    @Get("/{sid}/events")
    CompletableFuture<MutableHttpResponse<String>> poll(HttpRequest<?> request, @PathVariable String sid,
            @Nullable @QueryValue Long after, @Nullable @QueryValue String token) {
        AccessTokens.Verified caller = verify(request, token);
        if (after != null && after < 0) {
            throw new RealtimeProblems.BadFrameException();
        }
        return onBlocking(() -> {
            if (node.draining()) {
                sessions.touch(sid, caller.accountId()).orElseThrow(RealtimeProblems.SessionNotFoundException::new);
                return answer(List.of(Frames.reconnect(node.reconnectDelayMs(), CloseCode.SHUTTING_DOWN.reason())));
            }
            UUID user = caller.accountId();
            // Listening starts before the log is read (as for a WebSocket), so nothing appended after the
            // read is missed; the read, the session check and the node's registration are one round trip.
            PollWaiter waiter = new PollWaiter(after != null ? after : Long.MAX_VALUE);
            node.holdRegistered(user, waiter);
            try {
                PollSessions.Poll poll = sessions.poll(sid, user, node.id(), after, PAGE);
                PollSessions.Session session = poll.session().orElseThrow(RealtimeProblems.SessionNotFoundException::new);
                node.polledHere(sid, session.user(), session.partner(), false);
                if (poll.gap()) {
                    return answer(List.of(Frames.reset(poll.lastSeq())));
                }
                if (!poll.events().isEmpty()) {
                    return answer(poll.events());
                }
                long position = after != null ? after : poll.lastSeq();
                waiter.startAfter(position);
                long holdMs = Math.min(config.pollHold().toMillis(),
                        Math.max(0, Duration.between(Instant.now(), caller.expiresAt()).toMillis()));
                boolean woken = node.awayFromPools(() -> {
                    try {
                        waiter.woken().get(holdMs, TimeUnit.MILLISECONDS);
                        return true;
                    } catch (TimeoutException e) {
                        return false;
                    }
                });
                if (!woken) {
                    return answer(List.of());
                }
                if (waiter.reconnectEvent() != null) {
                    return answer(List.of(waiter.reconnectEvent()));
                }
                List<String> answer = new ArrayList<>(waiter.ephemeral());
                UserEvents.Page page = events.read(user, position, PAGE);
                answer.addAll(page.gap() ? List.of(Frames.reset(page.lastSeq())) : page.events());
                return answer(answer);
            } finally {
                node.release(user, waiter);
            }
        });
    }

    @Post(value = "/{sid}/events", processes = MediaType.ALL)
    CompletableFuture<MutableHttpResponse<String>> send(HttpRequest<?> request, @PathVariable String sid,
            @Nullable @Body String body, @Nullable @QueryValue String token) {
        AccessTokens.Verified caller = verify(request, token);
        if (body == null || body.length() > config.maxFrameBytes()) {
            throw new RealtimeProblems.BadFrameException();
        }
        Frames.ClientFrame frame = Frames.parse(json, body).orElseThrow(RealtimeProblems.BadFrameException::new);
        return onBlocking(() -> {
            PollSessions.Session session = sessions.touch(sid, caller.accountId())
                    .orElseThrow(RealtimeProblems.SessionNotFoundException::new);
            frames.apply(session.user(), session.partner(), frame);
            return affinity(HttpResponse.accepted());
        });
    }

    @Delete("/{sid}")
    CompletableFuture<MutableHttpResponse<String>> end(HttpRequest<?> request, @PathVariable String sid,
            @Nullable @QueryValue String token) {
        AccessTokens.Verified caller = verify(request, token);
        return onBlocking(() -> {
            PollSessions.Session session = sessions.touch(sid, caller.accountId())
                    .orElseThrow(RealtimeProblems.SessionNotFoundException::new);
            sessions.delete(sid, caller.accountId());
            node.sessionEnded(sid, session.user(), session.partner());
            return HttpResponse.noContent();
        });
    }

    private AccessTokens.Verified verify(HttpRequest<?> request, String queryToken) {
        String token = queryToken;
        String header = request.getHeaders().getAuthorization().orElse(null);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Optional<AccessTokens.Verified> verified = tokens.fromSecurityFilter(request);
            if (verified.isPresent()) {
                return verified.get();
            }
            token = header.substring(7).trim();
        }
        try {
            return tokens.verify(token, request);
        } catch (AccessTokens.RejectedException e) {
            throw e.expired() ? new RealtimeProblems.TokenExpiredException() : new UnauthorizedException();
        }
    }

    private MutableHttpResponse<String> answer(List<String> events) {
        return affinity(HttpResponse.ok("{\"events\":[" + String.join(",", events) + "]}").contentType(MediaType.APPLICATION_JSON_TYPE));
    }

    /** The node id in a cookie a load balancer can route on; only an optimisation (any node serves any poll). */
    private <T> MutableHttpResponse<T> affinity(MutableHttpResponse<T> response) {
        return response.cookie(Cookie.of(AFFINITY_COOKIE, node.id()).path("/v1/realtime").httpOnly(true).sameSite(SameSite.Lax));
    }

    private interface Work {
        MutableHttpResponse<String> run() throws Exception;
    }

    /** The poll blocks a virtual thread (Redis, the hold), never Netty's event loop. */
    private CompletableFuture<MutableHttpResponse<String>> onBlocking(Work work) {
        CompletableFuture<MutableHttpResponse<String>> result = new CompletableFuture<>();
        node.blocking().execute(() -> {
            try {
                result.complete(work.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
