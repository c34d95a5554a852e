package io.duet.api.couple;

import io.duet.api.events.UserEvents;
import io.duet.api.web.RateLimiter;
import io.duet.api.web.UnauthorizedException;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.transaction.TransactionOperations;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairing and the couple itself. Everything is keyed by the caller's own membership: a caller reaches a
 * couple only through the row that says they belong to it, never through an id from the request.
 *
 * <p>Unpairing (or deleting an account) ends the couple for both partners at once. The shared history
 * stays readable, read-only, for {@link CoupleConfig#historyGrace()} (30 days by default) so that neither
 * partner loses it to a moment of anger; then the sweep purges the couple with its messages. Joining a
 * new couple in the meantime makes the new one the caller's couple.
 */
@Singleton
public class CoupleService {
    private static final Logger LOG = LoggerFactory.getLogger(CoupleService.class);

    private final CoupleRepository couples;
    private final CoupleConfig config;
    private final UserEvents events;
    private final RateLimiter limiter;
    private final TransactionOperations<Connection> transactions;

    CoupleService(
            CoupleRepository couples,
            CoupleConfig config,
            UserEvents events,
            RateLimiter limiter,
            TransactionOperations<Connection> transactions) {
        this.couples = couples;
        this.config = config;
        this.events = events;
        this.limiter = limiter;
        this.transactions = transactions;
    }

    /**
     * The caller's couple: the active one, else an ended one whose history is still kept.
     *
     * @throws UnauthorizedException when the account no longer exists
     * @throws CoupleProblems.NotVerifiedException when its address is not confirmed
     * @throws CoupleProblems.NotPairedException when it has no couple
     */
    public Membership membership(UUID accountId) {
        // One query on the hot path: a membership exists only for accounts that were verified when they
        // paired, and the lookup skips deleted accounts. Without one, say why.
        Optional<Membership> membership = couples.membership(accountId, graceStart());
        if (membership.isPresent()) {
            return membership.get();
        }
        requireVerified(accountId);
        throw new CoupleProblems.NotPairedException();
    }

    /** The caller's couple if it is active (the only kind that can be written to). */
    public Membership activeMembership(UUID accountId) {
        Membership membership = membership(accountId);
        if (!membership.active()) {
            throw new CoupleProblems.CoupleEndedException();
        }
        return membership;
    }

    /** The account's current partner, if it is in an active couple. */
    public Optional<UUID> partnerOf(UUID accountId) {
        return activeCouple(accountId).map(Membership::partnerId);
    }

    /** The caller's membership of an active couple, if any (it names the partner and the home region). */
    public Optional<Membership> activeCouple(UUID accountId) {
        return couples.membership(accountId, graceStart()).filter(Membership::active);
    }

    /** A new invite code for the caller, replacing any open one. */
    public IssuedInvite invite(UUID accountId) {
        requireVerified(accountId);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant expires = now.plus(config.inviteTtl());
        return transactions.executeWrite(status -> {
            if (couples.paired(accountId)) {
                throw new CoupleProblems.AlreadyPairedException();
            }
            couples.deleteInvitesOf(accountId);
            while (true) {
                String code = InviteCodes.mint();
                if (couples.insertInvite(code, accountId, now, expires) == 1) {
                    return new IssuedInvite(InviteCodes.display(code), expires);
                }
            }
        });
    }

    /** Joins the couple the code invites to: creates the couple of the code's owner and the caller. */
    public Joined join(UUID accountId, String typedCode) {
        requireVerified(accountId);
        limiter.hit("couple:join:" + accountId, config.joinAttemptsPerHour(), Duration.ofHours(1));
        String code = InviteCodes.read(typedCode).orElseThrow(CoupleProblems.InviteNotFoundException::new);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        UUID coupleId = UUID.randomUUID();
        UUID inviterId;
        try {
            inviterId = transactions.executeWrite(status -> {
                Invite invite = couples.lockInvite(code, now).orElseThrow(CoupleProblems.InviteNotFoundException::new);
                if (invite.accountId().equals(accountId)) {
                    throw new CoupleProblems.OwnInviteException();
                }
                if (couples.paired(accountId)) {
                    throw new CoupleProblems.AlreadyPairedException();
                }
                couples.insertCouple(coupleId, config.region(), now);
                // The partial unique index on active memberships is what really keeps an account in one
                // couple: two joins racing for one account cannot both insert.
                couples.insertMember(coupleId, invite.accountId(), now);
                couples.insertMember(coupleId, accountId, now);
                couples.deleteInvitesOf(invite.accountId());
                couples.deleteInvitesOf(accountId);
                return invite.accountId();
            });
        } catch (DataAccessException e) {
            if (isConflict(e)) {
                throw new CoupleProblems.AlreadyPairedException();
            }
            throw e;
        }
        String inviterName = couples.displayName(inviterId).orElse("");
        String joinerName = couples.displayName(accountId).orElse("");
        events.publish(inviterId, "couple.joined", new JoinedEvent(coupleId, new Partner(accountId, joinerName), now));
        events.publish(accountId, "couple.joined", new JoinedEvent(coupleId, new Partner(inviterId, inviterName), now));
        LOG.atInfo()
                .addKeyValue("coupleId", coupleId)
                .addKeyValue("accountId", accountId)
                .log("couple joined");
        return new Joined(coupleId, new Partner(inviterId, inviterName), now);
    }

    /** What the caller sees of its couple. */
    public Current current(UUID accountId) {
        Membership membership = membership(accountId);
        CoupleView view =
                couples.view(membership.coupleId(), accountId).orElseThrow(CoupleProblems.NotPairedException::new);
        Partner partner = view.partnerId() == null ? null : new Partner(view.partnerId(), view.partnerName());
        return new Current(
                view.coupleId(),
                partner,
                view.since(),
                view.endedAt(),
                view.homeRegion(),
                config.gatewayUrl(view.homeRegion()),
                view.lastSeq(),
                view.readSeq(),
                view.partnerReadSeq());
    }

    /** Ends the caller's couple for both partners. */
    public void unpair(UUID accountId) {
        membership(accountId);
        end(accountId, "unpaired").orElseThrow(CoupleProblems.NotPairedException::new);
    }

    /**
     * Ends the account's active couple, if any, inside the caller's transaction (account deletion); the
     * partner is told once it commits.
     */
    public void endForDeletedAccount(UUID accountId) {
        end(accountId, "account-deleted");
    }

    private Optional<UUID> end(UUID accountId, String reason) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return transactions.executeWrite(status -> {
            Optional<Couple> couple = couples.lockActiveCouple(accountId);
            if (couple.isEmpty() || couples.end(couple.get().id(), now) == 0) {
                return Optional.empty();
            }
            UUID coupleId = couple.get().id();
            couples.leaveAll(coupleId, now);
            events.publish(
                    couple.get().homeRegion(),
                    couples.members(coupleId),
                    "couple.ended",
                    new EndedEvent(coupleId, now, reason));
            LOG.atInfo()
                    .addKeyValue("coupleId", coupleId)
                    .addKeyValue("reason", reason)
                    .log("couple ended");
            return Optional.of(coupleId);
        });
    }

    /** "Thinking of you": the partner gets a {@code nudge} event. */
    public void nudge(UUID accountId) {
        Membership membership = activeMembership(accountId);
        limiter.hit("couple:nudge:" + accountId, config.nudgeLimit(), config.nudgeWindow());
        if (membership.partnerId() != null) {
            events.publish(
                    membership.homeRegion(),
                    List.of(membership.partnerId()),
                    "nudge",
                    new NudgeEvent(accountId, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        }
    }

    /**
     * Moves the caller's read marker forward to {@code upToSeq} (capped at the last message) and tells
     * both partners; an older marker changes nothing. Returns the marker.
     */
    public long markRead(Membership membership, long upToSeq) {
        if (!membership.active()) {
            throw new CoupleProblems.CoupleEndedException();
        }
        return transactions.executeWrite(status -> {
            boolean moved = couples.raiseReadMarker(membership.coupleId(), membership.accountId(), upToSeq) == 1;
            long marker = couples.readMarker(membership.coupleId(), membership.accountId())
                    .orElse(0L);
            if (moved) {
                List<UUID> both = membership.partnerId() == null
                        ? List.of(membership.accountId())
                        : List.of(membership.partnerId(), membership.accountId());
                events.publish(
                        membership.homeRegion(), both, "message.read", new ReadEvent(membership.accountId(), marker));
            }
            return marker;
        });
    }

    /** Removes expired invites and purges couples whose history grace is over. */
    void sweep() {
        int invites = transactions.executeWrite(status -> couples.deleteExpiredInvites(Instant.now()));
        int purged = 0;
        for (List<UUID> batch = couples.endedBefore(graceStart(), 20);
                !batch.isEmpty();
                batch = couples.endedBefore(graceStart(), 20)) {
            for (UUID coupleId : batch) {
                purged += transactions.executeWrite(status -> couples.purge(coupleId));
            }
        }
        if (invites > 0 || purged > 0) {
            LOG.atInfo()
                    .addKeyValue("invites", invites)
                    .addKeyValue("couples", purged)
                    .log("couple sweep");
        }
    }

    private Instant graceStart() {
        return Instant.now().minus(config.historyGrace());
    }

    private void requireVerified(UUID accountId) {
        boolean verified = couples.accountVerified(accountId).orElseThrow(UnauthorizedException::new);
        if (!verified) {
            throw new CoupleProblems.NotVerifiedException();
        }
    }

    /** A unique violation, or the deadlock two crossing joins can cause: either way, someone is paired now. */
    private static boolean isConflict(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql
                    && ("23505".equals(sql.getSQLState()) || "40P01".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    @Serdeable
    public record Partner(
            @Schema(example = "b71c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e")
            UUID id,

            @Schema(example = "Ben") String displayName) {}

    public record IssuedInvite(String code, Instant expiresAt) {}

    public record Joined(UUID coupleId, Partner partner, Instant since) {}

    public record Current(
            UUID coupleId,
            Partner partner,
            Instant since,
            Instant endedAt,
            String homeRegion,
            String gatewayUrl,
            long lastSeq,
            long readSeq,
            long partnerReadSeq) {}

    @Serdeable
    record JoinedEvent(UUID coupleId, Partner partner, Instant since) {}

    @Serdeable
    record EndedEvent(UUID coupleId, Instant endedAt, String reason) {}

    @Serdeable
    record NudgeEvent(UUID from, Instant at) {}

    @Serdeable
    record ReadEvent(UUID readerId, long upToSeq) {}
}
