package io.duet.realtime.protocol;

import io.duet.realtime.RealtimeConfig;

/**
 * WebSocket close codes of the gateway. 4000-4499: the client reconnects (after the delay the close
 * reason carries as {@code {"retryMs":N}}, else with its own backoff). 4500-4999: terminal, the client
 * must not retry with the same credentials. 1009 (frame too large) is the standard code Netty sends.
 */
public enum CloseCode {
    /** This node is going away: reconnect after the given delay (another node will take you). */
    SHUTTING_DOWN(4001, "shutting-down"),
    /** No frame (not even a pong) within the heartbeat timeout. */
    HEARTBEAT_TIMEOUT(4002, "heartbeat-timeout"),
    /** The client did not read: its outbound buffer filled up. Reconnect and resume with after=SEQ. */
    SLOW_CONSUMER(4008, "slow-consumer"),
    /** The access token expired: refresh it, then reconnect. */
    TOKEN_EXPIRED(4010, "token-expired"),
    /** Connecting faster than the budget allows: wait retryMs. */
    TOO_MANY_CONNECTS(4029, "too-many-connects"),
    /** Client frames faster than {@link RealtimeConfig#clientFramesPerSecond()} allows: wait retryMs. */
    TOO_MANY_FRAMES(4030, "too-many-frames"),
    /** A client frame larger than {@link RealtimeConfig#maxFrameBytes()} (the standard code). */
    TOO_LARGE(1009, "frame-too-large"),
    /** A frame that is not a JSON object with a known shape. */
    BAD_FRAME(4400, "bad-frame"),
    /** No token, or one that is not valid (wrong signature, malformed, its session ended): sign in again. */
    UNAUTHORIZED(4501, "unauthorized");

    private final int code;
    private final String reason;

    CloseCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }
}
