package io.duet.api.session;

import io.duet.api.events.UserEvents;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions whose access tokens must stop working before they expire: signed out, revoked for a reused
 * refresh token, or of a deleted account. PostgreSQL is the record (the refresh-token family's
 * {@code revoked_at}; deleting an account revokes every family); the API checks it on every authenticated call and
 * the gateway on every connect and poll. A revocation is also signalled to the user's gateway nodes
 * ({@value #SIGNAL}, never stored in the log, never shown to a client), which close the session's live
 * WebSockets at once.
 */
@Singleton
public class RevokedSessions {
    /** The gateway-internal signal type; its data is {@code {"sessionId": uuid or null for every session}}. */
    public static final String SIGNAL = "session.revoked";

    private static final Logger LOG = LoggerFactory.getLogger(RevokedSessions.class);

    private final RefreshTokenRepository tokens;
    private final UserEvents events;

    RevokedSessions(RefreshTokenRepository tokens, UserEvents events) {
        this.tokens = tokens;
        this.events = events;
    }

    /**
     * Blocking (JDBC). Every token Duet issues names its session ({@code sid}); a token without one was
     * not issued by a sign-in and has nothing to revoke (test tokens are such).
     */
    public boolean revoked(@Nullable UUID sessionId) {
        return sessionId != null && tokens.revoked(sessionId);
    }

    /**
     * Tells the user's gateway nodes to close the session's live connections ({@code sessionId} null:
     * all of the account's). Best effort: when Redis is away the sockets stay until their next check
     * (a reconnect, a poll) or their token's expiry, and the API refuses the token meanwhile.
     */
    void announce(UUID accountId, @Nullable UUID sessionId) {
        try {
            events.signal(accountId, SIGNAL, new Revoked(sessionId));
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .addKeyValue("accountId", accountId)
                    .addKeyValue("error", e.toString())
                    .log("revocation not signalled to the gateway; live sockets close at their next check");
        }
    }

    @Serdeable
    record Revoked(@Nullable UUID sessionId) {}
}
