package io.duet.api.account;

import io.duet.api.web.Caller;
import io.duet.api.web.ProblemResponses;
import io.duet.api.web.UnauthorizedException;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

/** The caller's own account: {@code /v1/me}. */
@Controller("/v1/me")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "accounts")
@ProblemResponses.Common
@ProblemResponses.Authenticated
class MeController {
    private final AccountService accounts;

    MeController(AccountService accounts) {
        this.accounts = accounts;
    }

    @Get
    @Operation(summary = "The caller's account: id, email, display name, language, avatar")
    AccountMessages.AccountResponse show(@Parameter(hidden = true) Caller caller) {
        return accounts.find(caller.accountId())
                .map(AccountMessages.AccountResponse::from)
                .orElseThrow(UnauthorizedException::new);
    }

    @Patch
    @Operation(summary = "Change display name and/or email language")
    AccountMessages.AccountResponse update(
            @Parameter(hidden = true) Caller caller, @Valid @Body AccountMessages.UpdateMeRequest request) {
        return accounts.update(caller.accountId(), request.displayName(), request.locale())
                .map(AccountMessages.AccountResponse::from)
                .orElseThrow(UnauthorizedException::new);
    }

    @Delete
    @Status(HttpStatus.ACCEPTED)
    @Operation(summary = "Delete the account: sessions end now, everything it owns is purged asynchronously")
    AccountMessages.AcceptedResponse delete(@Parameter(hidden = true) Caller caller) {
        if (!accounts.delete(caller.accountId())) {
            throw new UnauthorizedException();
        }
        return AccountMessages.AcceptedResponse.DELETION_SCHEDULED;
    }
}
