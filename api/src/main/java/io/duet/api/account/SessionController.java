package io.duet.api.account;

import io.duet.api.session.SessionTokens;
import io.duet.api.web.Caller;
import io.duet.api.web.ClientAddress;
import io.duet.api.web.ProblemResponses;
import io.duet.api.web.UnauthorizedException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

/** Sign-in, token refresh, sign-out: {@code /v1/sessions}. */
@Controller("/v1/sessions")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "sessions")
@ProblemResponses.Common
@ProblemResponses.Authenticated
class SessionController {
    private final AccountService accounts;
    private final SessionTokens tokens;
    private final AccountLimits limits;
    private final ClientAddress clients;

    SessionController(AccountService accounts, SessionTokens tokens, AccountLimits limits, ClientAddress clients) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.limits = limits;
        this.clients = clients;
    }

    @Post
    @Secured(SecurityRule.IS_ANONYMOUS)
    @SecurityRequirements
    @ProblemResponses.RateLimited
    @ProblemResponses.Unverified
    @Operation(summary = "Sign in; a wrong password and an unknown address get the same 401")
    AccountMessages.TokensResponse signIn(@Valid @Body AccountMessages.SignInRequest request, HttpRequest<?> http) {
        limits.beforeSignIn(clients.of(http), request.email());
        AccountService.SignedIn signedIn;
        try {
            signedIn = accounts.signIn(request.email(), request.password());
        } catch (UnauthorizedException e) {
            limits.signInFailed(request.email());
            throw e;
        }
        limits.signInSucceeded(request.email());
        return tokens(signedIn);
    }

    @Post("/refresh")
    @Secured(SecurityRule.IS_ANONYMOUS)
    @SecurityRequirements
    @Operation(summary = "Rotate the refresh token; presenting a used one revokes the whole session")
    AccountMessages.TokensResponse refresh(@Valid @Body AccountMessages.RefreshRequest request) {
        SessionTokens.Issued issued = tokens.refresh(request.refreshToken());
        var account = accounts.find(issued.accountId()).orElseThrow(UnauthorizedException::new);
        return new AccountMessages.TokensResponse(
                issued.accessToken(),
                issued.refreshToken(),
                issued.expiresIn(),
                AccountMessages.AccountResponse.from(account));
    }

    @Delete("/current")
    @Secured(SecurityRule.IS_AUTHENTICATED)
    @Status(HttpStatus.NO_CONTENT)
    @Operation(summary = "Sign out this session (its refresh tokens stop working)")
    void signOut(@Parameter(hidden = true) Caller caller) {
        if (caller.sessionId() != null) {
            tokens.revoke(caller.accountId(), caller.sessionId());
        }
    }

    static AccountMessages.TokensResponse tokens(AccountService.SignedIn signedIn) {
        return new AccountMessages.TokensResponse(
                signedIn.tokens().accessToken(),
                signedIn.tokens().refreshToken(),
                signedIn.tokens().expiresIn(),
                AccountMessages.AccountResponse.from(signedIn.account()));
    }
}
