package io.duet.realtime.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.duet.api.session.RevokedSessions;
import io.duet.realtime.Node;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.UUID;

/**
 * The gateway's view of revoked sessions (sign-out, a reused refresh token, account deletion): asked on
 * every WebSocket connect (always of the database, {@link #revokedNow}) and long-poll request. A session found
 * valid is trusted for
 * {@link #TRUSTED} per node, so a client polling every few seconds costs the database one lookup per that
 * time, not one per poll; the {@code session.revoked} signal that reaches the nodes serving the user drops
 * that trust at once and closes the session's sockets (see {@link Node}).
 */
@Singleton
public class Revocations {
    static final Duration TRUSTED = Duration.ofSeconds(10);

    private final RevokedSessions revoked;
    /** Sessions found not revoked lately: session id → account id. */
    private final Cache<UUID, UUID> valid =
            Caffeine.newBuilder().maximumSize(200_000).expireAfterWrite(TRUSTED).build();

    Revocations(RevokedSessions revoked) {
        this.revoked = revoked;
    }

    /** Blocking (JDBC) unless trusted lately. */
    public boolean revoked(AccessTokens.Verified caller) {
        UUID session = caller.sessionId();
        if (session == null || valid.getIfPresent(session) != null) {
            return false;
        }
        return revokedNow(caller);
    }

    /**
     * Asks the database whatever was trusted: for a WebSocket connect, whose socket is not looked at again. The
     * trust kept for polls can outlive a revocation on a node that no longer served the user when it was
     * signalled (its last socket had closed), and a socket opened on it would then live until its token expires.
     */
    public boolean revokedNow(AccessTokens.Verified caller) {
        UUID session = caller.sessionId();
        if (session == null) {
            return false;
        }
        if (revoked.revoked(session)) {
            return true;
        }
        valid.put(session, caller.accountId());
        return false;
    }

    /** A revocation of {@code session} (null: every session of {@code account}) was signalled. */
    public void forget(UUID account, UUID session) {
        if (session != null) {
            valid.invalidate(session);
        } else {
            valid.asMap().values().removeIf(account::equals);
        }
    }
}
