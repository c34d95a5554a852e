package io.duet.api.message;

import io.duet.api.web.Caller;
import io.duet.api.web.ProblemResponses;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;

/** The couple's messages: {@code /v1/couple/messages}. */
@Controller("/v1/couple/messages")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "couples")
@ProblemResponses.Common
@ProblemResponses.Authenticated
@ProblemResponses.Paired
@ProblemResponses.Unverified
class MessageController {
    private final MessageService messages;
    private final io.duet.api.web.RateLimiter limiter;
    private final io.duet.api.web.RateLimitConfig limits;

    MessageController(
            MessageService messages, io.duet.api.web.RateLimiter limiter, io.duet.api.web.RateLimitConfig limits) {
        this.limiter = limiter;
        this.limits = limits;
        this.messages = messages;
    }

    @ProblemResponses.RateLimited
    @ProblemResponses.CoupleConflict
    @Post
    @Operation(
            summary =
                    "Send a message; retrying with the same clientId returns the first message (Idempotent-Replayed: true)")
    HttpResponse<MessageBodies.MessageResponse> send(
            @Parameter(hidden = true) Caller caller, @Valid @Body MessageBodies.SendMessageRequest request) {
        limiter.hit("message:send:" + caller.accountId(), limits.messagesPerAccount(), java.time.Duration.ofMinutes(1));
        MessageService.Sent sent = messages.send(caller.accountId(), request.clientId(), request.text());
        MutableHttpResponse<MessageBodies.MessageResponse> response =
                HttpResponse.<MessageBodies.MessageResponse>status(HttpStatus.CREATED)
                        .body(MessageBodies.MessageResponse.from(sent.message()));
        if (sent.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response;
    }

    @Get
    @Operation(
            summary =
                    "A page of messages: ?before=SEQ newest first (the default), or ?after=SEQ oldest first to catch up")
    MessageBodies.MessagePageResponse page(
            @Parameter(hidden = true) Caller caller,
            @Nullable @QueryValue @PositiveOrZero Long before,
            @Nullable @QueryValue @PositiveOrZero Long after,
            @Nullable @QueryValue @Min(1) @Max(MessageService.MAX_PAGE) Integer limit) {
        return MessageBodies.MessagePageResponse.from(
                messages.page(caller.accountId(), before, after, limit == null ? MessageService.DEFAULT_PAGE : limit));
    }

    @ProblemResponses.CoupleConflict
    @Post("/read")
    @Operation(summary = "Move the caller's read marker up to a seq; the partner gets message.read")
    MessageBodies.ReadMarkerResponse read(
            @Parameter(hidden = true) Caller caller, @Valid @Body MessageBodies.MarkReadRequest request) {
        return new MessageBodies.ReadMarkerResponse(messages.markRead(caller.accountId(), request.upToSeq()));
    }
}
