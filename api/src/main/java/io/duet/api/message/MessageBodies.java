package io.duet.api.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
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
    record SendMessageRequest(
            @Schema(example = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b") @NotNull
            UUID clientId,

            @Schema(example = "coffee at 8?") @NotNull @Size(max = 16_000)
            String text) {}

    @Serdeable
    record MarkReadRequest(
            @Schema(example = "418") @NotNull @PositiveOrZero
            Long upToSeq) {}

    @Serdeable
    record MessageResponse(
            @Schema(example = "418") long seq,

            @Schema(example = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b")
            UUID clientId,

            @Schema(example = "7d8e1a4b-2f6d-4c3b-9e5a-0b7c6a2e5d1f")
            UUID senderId,

            @Schema(example = "coffee at 8?") String text,
            @Schema(example = "2026-12-03T09:30:00Z") Instant createdAt) {
        static MessageResponse from(Message message) {
            return new MessageResponse(
                    message.seq(), message.clientId(), message.senderId(), message.text(), message.createdAt());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record MessagePageResponse(
            List<MessageResponse> messages,
            @Schema(example = "true") boolean hasMore) {
        static MessagePageResponse from(MessageService.Page page) {
            return new MessagePageResponse(
                    page.messages().stream().map(MessageResponse::from).toList(), page.hasMore());
        }
    }

    @Serdeable
    record ReadMarkerResponse(@Schema(example = "418") long readSeq) {}
}
