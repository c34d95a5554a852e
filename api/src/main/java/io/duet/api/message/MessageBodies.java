package io.duet.api.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The message feature's HTTP bodies (the text is checked in full by {@link MessageText}). */
final class MessageBodies {
    private MessageBodies() {}

    /** @param clientId a UUID the app makes for each message; sending again with it returns the first message */
    @Serdeable
    record SendMessageRequest(@NotNull UUID clientId, @NotNull @Size(max = 16_000) String text) {}

    @Serdeable
    record MarkReadRequest(@NotNull @PositiveOrZero Long upToSeq) {}

    @Serdeable
    record MessageResponse(long seq, UUID clientId, UUID senderId, String text, Instant createdAt) {
        static MessageResponse from(Message message) {
            return new MessageResponse(message.seq(), message.clientId(), message.senderId(), message.text(), message.createdAt());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record MessagePageResponse(List<MessageResponse> messages, boolean hasMore) {
        static MessagePageResponse from(MessageService.Page page) {
            return new MessagePageResponse(page.messages().stream().map(MessageResponse::from).toList(), page.hasMore());
        }
    }

    @Serdeable
    record ReadMarkerResponse(long readSeq) {}
}
