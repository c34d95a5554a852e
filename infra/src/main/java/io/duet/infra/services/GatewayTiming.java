package io.duet.infra.services;

import java.time.Duration;

/**
 * The realtime gateway's settings the load balancer must agree with, as {@code RealtimeConfig} and {@code Node}
 * in the realtime module define them (the infra tests read those sources and fail when they drift apart).
 *
 * <p>ECS stops a task in this order: the ALB deregisters the target and waits the deregistration delay (no new
 * requests; open connections stay), then ECS sends SIGTERM, and the gateway drains (a {@code reconnect} event
 * to every client, close 4001) for its drain grace. So the delay lets every held long-poll finish
 * ({@link #POLL_HOLD}) and covers the drain grace; the container's stop timeout covers the drain grace again
 * before SIGKILL.
 */
public final class GatewayTiming {
    private GatewayTiming() {}

    /** {@code Node.AFFINITY_COOKIE}: the cookie the gateway sets and the ALB routes on. */
    public static final String AFFINITY_COOKIE = "duet_rt_node";
    /** {@code duet.realtime.poll-hold}. */
    public static final Duration POLL_HOLD = Duration.ofSeconds(25);
    /** {@code duet.realtime.heartbeat-interval}. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(25);
    /** {@code duet.realtime.heartbeat-timeout}: a silent WebSocket is closed by the gateway (4002) after this. */
    public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(70);
    /** {@code duet.realtime.drain-grace}. */
    public static final Duration DRAIN_GRACE = Duration.ofSeconds(2);

    /**
     * Above the poll hold and the heartbeat interval, and above the heartbeat timeout too, so that a silent
     * connection is closed by the gateway with its own code rather than cut by the ALB.
     */
    public static final Duration ALB_IDLE_TIMEOUT = HEARTBEAT_TIMEOUT.plusSeconds(5);
    /** A held poll finishes, plus the drain grace, plus a margin for the ALB's own bookkeeping. */
    public static final Duration DEREGISTRATION_DELAY =
            POLL_HOLD.plus(DRAIN_GRACE).plusSeconds(3);
    /** SIGTERM to SIGKILL: the drain grace and the JVM's shutdown hooks. */
    public static final Duration STOP_TIMEOUT = DRAIN_GRACE.plusSeconds(8);
}
