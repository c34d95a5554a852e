package io.duet.realtime;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;

/**
 * Settings of one gateway node ({@code duet.realtime.*}; env {@code DUET_REALTIME_HEARTBEAT_INTERVAL=20s}
 * and so on). Defaults are written here because the gateway ships inside the api's configuration.
 *
 * @param nodeId this node's id, in every sid and the affinity cookie; letters, digits and '-'. Default:
 *     empty, meaning a random one per process start (a restarted node is a new node: its old
 *     registrations lapse with their ttl)
 * @param heartbeatInterval how often the server pings every WebSocket; default 25 s (below the usual
 *     60 s idle timeout of load balancers)
 * @param heartbeatTimeout a WebSocket that sent nothing (not even a pong) for this long is closed with
 *     4002; default 70 s
 * @param maxFrameBytes largest client frame; a larger one closes the connection with 1009; default 4 KiB
 *     (client frames are tiny: ack, read, typing)
 * @param outboxBytes bytes written to a WebSocket and not yet taken by the network; beyond it the client
 *     is not reading and is closed with 4008 (it resumes later from the log); default 256 KiB
 * @param pollHold how long a long-poll waits for events before answering an empty list; default 25 s
 * @param sessionIdle a long-polling session nobody polled for this long expires (the client gets 404
 *     and makes a new one); default 60 s
 * @param registrationTtl how long this node's claim to hold a user lives in Redis without a refresh
 *     (refreshed every third of it), so a crashed node stops receiving fan-out; default 60 s
 * @param presenceGrace after a user's last connection closes, how long before the partner is told
 *     "offline" (a reconnect within it does not flap); default 10 s
 * @param typingInterval at most one {@code typing} per user per this; more are dropped; default 2 s
 * @param connectBurst connects (WebSocket or new long-polling session) a user may make at once;
 *     default 6
 * @param connectRefill one more connect is allowed per this; beyond the budget a connect is refused
 *     with a retry hint (4029 or 429); default 5 s
 * @param reconnectWindow reconnect delays handed out on drain are spread uniformly over
 *     [reconnectMin, reconnectWindow]; default 10 s
 * @param reconnectMin the smallest reconnect delay handed out; default 500 ms
 * @param drainGrace how long a draining node waits for close frames to go out before the server stops;
 *     default 2 s
 * @param partnerTtl how long a node trusts its answer to "who is this user's partner" (for typing, receipts
 *     and presence); a couple formed or ended reaches the node at once through the user's own
 *     {@code couple.*} events, this bounds the answer when such an event was lost; default 30 s
 * @param clientFramesPerSecond client frames (typing, ack, read) one WebSocket may send per second on
 *     average; default 10. Beyond {@code clientFrameBurst} in a row the connection is closed with 4030
 *     (reconnect after the delay in the reason)
 * @param clientFrameBurst client frames a WebSocket may send at once; default 20
 * @param maxHeldPollsPerUser long-polls of one user held on one node at once; one more answers 429
 *     {@code too-many-polls}. A session holds one poll: a newer poll of the same session answers the older
 *     one at once. Default 4
 * @param maxHeldPollsPerAddress long-polls from one client address (an IPv6 /64) held on one node at once;
 *     default 200 (a carrier-grade NAT puts many users behind one address)
 * @param fanoutOwnClient the node's fan-out subscription uses a Redisson client of its own on a server event
 *     loop (no thread hand-off per batch); default true. A Lambda function sets false: there the process's
 *     one client is the one SnapStart's hooks close before a snapshot and reopen after it.
 */
@ConfigurationProperties("duet.realtime")
public record RealtimeConfig(
        @Bindable(defaultValue = "") @Pattern(regexp = "[A-Za-z0-9-]{0,40}")
        String nodeId,

        @Bindable(defaultValue = "25s") @NotNull Duration heartbeatInterval,
        @Bindable(defaultValue = "70s") @NotNull Duration heartbeatTimeout,
        @Bindable(defaultValue = "4096") @Min(256) int maxFrameBytes,
        @Bindable(defaultValue = "262144") @Min(1024) int outboxBytes,
        @Bindable(defaultValue = "25s") @NotNull Duration pollHold,
        @Bindable(defaultValue = "60s") @NotNull Duration sessionIdle,
        @Bindable(defaultValue = "60s") @NotNull Duration registrationTtl,
        @Bindable(defaultValue = "10s") @NotNull Duration presenceGrace,
        @Bindable(defaultValue = "2s") @NotNull Duration typingInterval,
        @Bindable(defaultValue = "6") @Min(1) int connectBurst,
        @Bindable(defaultValue = "5s") @NotNull Duration connectRefill,
        @Bindable(defaultValue = "10s") @NotNull Duration reconnectWindow,
        @Bindable(defaultValue = "500ms") @NotNull Duration reconnectMin,
        @Bindable(defaultValue = "2s") @NotNull Duration drainGrace,
        @Bindable(defaultValue = "true") boolean fanoutOwnClient,
        @Bindable(defaultValue = "30s") @NotNull Duration partnerTtl,
        @Bindable(defaultValue = "10") @Min(1) int clientFramesPerSecond,
        @Bindable(defaultValue = "20") @Min(1) int clientFrameBurst,
        @Bindable(defaultValue = "4") @Min(1) int maxHeldPollsPerUser,
        @Bindable(defaultValue = "200") @Min(1) int maxHeldPollsPerAddress) {}
