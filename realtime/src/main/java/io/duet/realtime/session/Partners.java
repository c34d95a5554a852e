package io.duet.realtime.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.duet.api.couple.CoupleService;
import io.duet.realtime.RealtimeConfig;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;

/**
 * Who each user's partner is, as the gateway needs it for typing, receipts and presence: asked each time
 * a connection or session needs it, never fixed when it opened, so an ex-partner stops getting typing and
 * presence the moment a couple ends (and a new partner starts getting them when one forms). A node learns
 * of the change from the user's own {@code couple.joined} / {@code couple.ended} events, which the fan-out
 * brings to every node that serves the user ({@link #changed}); {@link RealtimeConfig#partnerTtl()} bounds
 * an answer whose event was lost.
 */
@Singleton
public class Partners {
    private final CoupleService couples;
    private final Cache<UUID, Optional<UUID>> known;

    Partners(CoupleService couples, RealtimeConfig config) {
        this.couples = couples;
        this.known = Caffeine.newBuilder()
                .maximumSize(200_000)
                .expireAfterWrite(config.partnerTtl())
                .build();
    }

    /** The user's partner, or null when not paired. Blocking (JDBC) when not known. */
    public UUID of(UUID user) {
        return known.get(user, couples::partnerOf).orElse(null);
    }

    /** The user's couple formed or ended: ask again next time. Cheap; runs on the fan-out's loop. */
    public void changed(UUID user) {
        known.invalidate(user);
    }
}
