package io.duet.api.couple;

import io.duet.api.web.Caller;
import io.duet.api.web.ProblemResponses;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

/** Pairing and the couple: {@code /v1/couple}. */
@Controller("/v1/couple")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "couples")
@ProblemResponses.Common
@ProblemResponses.Authenticated
@ProblemResponses.Unverified
class CoupleController {
    private final CoupleService couples;

    CoupleController(CoupleService couples) {
        this.couples = couples;
    }

    @ProblemResponses.CoupleConflict
    @Post("/invites")
    @Status(HttpStatus.CREATED)
    @Operation(summary = "Create an invite code for the partner (replaces an open one; valid 24 h)")
    CoupleMessages.InviteResponse invite(@Parameter(hidden = true) Caller caller) {
        return CoupleMessages.InviteResponse.from(couples.invite(caller.accountId()));
    }

    @ProblemResponses.RateLimited
    @ProblemResponses.CoupleConflict
    @ProblemResponses.InviteNotFound
    @Post("/join")
    @Status(HttpStatus.CREATED)
    @Operation(summary = "Join the partner's couple with their invite code")
    CoupleMessages.JoinedResponse join(
            @Parameter(hidden = true) Caller caller, @Valid @Body CoupleMessages.JoinCoupleRequest request) {
        return CoupleMessages.JoinedResponse.from(couples.join(caller.accountId(), request.code()));
    }

    @ProblemResponses.Paired
    @Get
    @Operation(summary = "The caller's couple: partner, since when, read markers, the home region's gateway")
    CoupleMessages.CoupleResponse show(@Parameter(hidden = true) Caller caller) {
        return CoupleMessages.CoupleResponse.from(couples.current(caller.accountId()));
    }

    @ProblemResponses.Paired
    @Delete
    @Status(HttpStatus.NO_CONTENT)
    @Operation(summary = "Unpair: ends the couple for both; the history stays readable for the grace period")
    void unpair(@Parameter(hidden = true) Caller caller) {
        couples.unpair(caller.accountId());
    }

    @ProblemResponses.RateLimited
    @ProblemResponses.Paired
    @ProblemResponses.CoupleConflict
    @Post("/nudges")
    @Status(HttpStatus.ACCEPTED)
    @Operation(summary = "Thinking of you: the partner gets a nudge event")
    CoupleMessages.AcceptedResponse nudge(@Parameter(hidden = true) Caller caller) {
        couples.nudge(caller.accountId());
        return CoupleMessages.AcceptedResponse.NUDGED;
    }
}
