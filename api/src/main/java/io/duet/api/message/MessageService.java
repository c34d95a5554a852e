package io.duet.api.message;

import io.duet.api.couple.CoupleProblems;
import io.duet.api.couple.CoupleService;
import io.duet.api.couple.Membership;
import io.duet.api.events.UserEvents;
import io.duet.api.web.ProblemException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpStatus;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The couple's messages. Sends of one couple are serialized by the lock on the couple row, which is
 * what makes {@code seq} gap-free and strictly increasing when both partners send at the same instant:
 * the seq is taken and the message inserted in one transaction, so a failed send leaves no hole. The
 * messages live in PostgreSQL; the {@code message.created} event is a fast path a client can always
 * replace by {@code GET /v1/couple/messages?after=SEQ}.
 */
@Singleton
class MessageService {
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 200;

    private final MessageRepository messages;
    private final CoupleService couples;
    private final UserEvents events;
    private final TransactionOperations<Connection> transactions;
    private final Counter sent;

    MessageService(
            MessageRepository messages,
            CoupleService couples,
            UserEvents events,
            TransactionOperations<Connection> transactions,
            MeterRegistry meters) {
        this.messages = messages;
        this.couples = couples;
        this.events = events;
        this.transactions = transactions;
        this.sent = Counter.builder("duet.messages.sent")
                .description("Messages sent")
                .register(meters);
    }

    /** Sends a message, or returns the one already sent with this client id ({@link Sent#replayed()}). */
    Sent send(UUID callerId, UUID clientId, String text) {
        String body = MessageText.check(text);
        return transactions.executeWrite(status -> {
            Membership membership = couples.activeMembership(callerId);
            MessageRepository.Slot slot = messages.lockForSend(membership.coupleId(), clientId);
            if (slot.existing().isPresent()) {
                Message existing = slot.existing().get();
                if (!existing.senderId().equals(callerId)) {
                    throw new ClientIdTakenException();
                }
                return new Sent(existing, true);
            }
            if (!slot.active()) {
                throw new CoupleProblems.CoupleEndedException();
            }
            Message message = messages.insert(
                    membership.coupleId(),
                    clientId,
                    callerId,
                    body,
                    Instant.now().truncatedTo(ChronoUnit.MICROS));
            List<UUID> both = new ArrayList<>(2);
            both.add(callerId);
            if (membership.partnerId() != null) {
                both.add(membership.partnerId());
            }
            events.publish(
                    membership.homeRegion(), both, "message.created", MessageBodies.MessageResponse.from(message));
            sent.increment();
            return new Sent(message, false);
        });
    }

    /** A page of the caller's couple's messages: before a seq (newest first) or after one (oldest first). */
    Page page(UUID callerId, Long beforeSeq, Long afterSeq, int limit) {
        if (beforeSeq != null && afterSeq != null) {
            throw new PageParametersException();
        }
        return transactions.executeRead(status -> {
            Membership membership = couples.membership(callerId);
            List<Message> found = afterSeq != null
                    ? messages.after(membership.coupleId(), afterSeq, limit + 1)
                    : messages.before(membership.coupleId(), beforeSeq != null ? beforeSeq : Long.MAX_VALUE, limit + 1);
            boolean more = found.size() > limit;
            return new Page(more ? found.subList(0, limit) : found, more);
        });
    }

    /** Moves the caller's read marker; see {@link CoupleService#markRead}. */
    long markRead(UUID callerId, long upToSeq) {
        return couples.markRead(couples.membership(callerId), upToSeq);
    }

    record Sent(Message message, boolean replayed) {}

    record Page(List<Message> messages, boolean hasMore) {}

    static final class ClientIdTakenException extends ProblemException {
        ClientIdTakenException() {
            super(
                    "client-id-taken",
                    "Client id taken",
                    HttpStatus.CONFLICT,
                    "Your partner already sent a message with this clientId. Generate a new one for each message.");
        }
    }

    static final class PageParametersException extends ProblemException {
        PageParametersException() {
            super("bad-request", "Bad request", HttpStatus.BAD_REQUEST, "Give either before or after, not both.");
        }
    }
}
