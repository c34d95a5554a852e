package io.duet.api.account;

import io.duet.api.web.ClientAddress;
import io.duet.api.web.ProblemResponses;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.util.Map;

/** Signup and address verification: {@code /v1/accounts}. */
@Controller("/v1/accounts")
@Secured(SecurityRule.IS_ANONYMOUS)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "accounts")
@ProblemResponses.Common
@ProblemResponses.RateLimited
@SecurityRequirements
class AccountController {
    private final AccountService accounts;
    private final VerificationPage page;
    private final AccountLimits limits;
    private final ClientAddress clients;
    private final SignUpIdempotency idempotency;

    AccountController(
            AccountService accounts,
            VerificationPage page,
            AccountLimits limits,
            ClientAddress clients,
            SignUpIdempotency idempotency) {
        this.accounts = accounts;
        this.page = page;
        this.limits = limits;
        this.clients = clients;
        this.idempotency = idempotency;
    }

    @Post
    @Status(HttpStatus.ACCEPTED)
    @Operation(summary = "Sign up; the same 202 whether or not the address is registered (its owner is told by email)")
    AccountMessages.AcceptedResponse signUp(
            @Valid @Body AccountMessages.SignUpRequest request,
            HttpRequest<?> http,
            @Nullable @Header("Idempotency-Key") @Size(min = 1, max = 255) String idempotencyKey) {
        limits.signUp(clients.of(http), request.email());
        if (idempotencyKey != null && idempotency.replay(idempotencyKey, request)) {
            return AccountMessages.AcceptedResponse.VERIFICATION_SENT;
        }
        try {
            accounts.signUp(
                    request.email(),
                    request.password(),
                    request.displayName(),
                    MailLocales.fromHeader(http.getLocale()));
        } catch (RuntimeException e) {
            if (idempotencyKey != null) {
                idempotency.release(idempotencyKey);
            }
            throw e;
        }
        return AccountMessages.AcceptedResponse.VERIFICATION_SENT;
    }

    @Post("/verification")
    @Status(HttpStatus.ACCEPTED)
    @Operation(summary = "Send the verification email again (the same code while it is valid); throttled per address")
    AccountMessages.AcceptedResponse resend(@Valid @Body AccountMessages.ResendRequest request, HttpRequest<?> http) {
        limits.resend(clients.of(http), request.email());
        accounts.resend(request.email());
        return AccountMessages.AcceptedResponse.VERIFICATION_SENT;
    }

    @Post("/verify")
    @Operation(summary = "Confirm the address with the 6-digit code; answers the session tokens")
    AccountMessages.TokensResponse verify(@Valid @Body AccountMessages.VerifyRequest request, HttpRequest<?> http) {
        limits.verify(clients.of(http), request.email());
        return SessionController.tokens(accounts.verifyCode(request.email(), request.code()));
    }

    @Get("/verify")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The link of the email: a page whose button confirms (a GET never consumes the link)")
    HttpResponse<String> verifyPage(@QueryValue String token) {
        return html(accounts.linkUsable(token) ? page.confirm(token) : page.expired());
    }

    @Post("/verify/link")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The link page's button")
    HttpResponse<String> verifyLink(@Body Map<String, String> form) {
        String token = form.getOrDefault("token", "");
        return html(!token.isEmpty() && accounts.verifyLink(token) ? page.verified() : page.expired());
    }

    private static HttpResponse<String> html(String body) {
        return HttpResponse.ok(body)
                .contentType(MediaType.TEXT_HTML_TYPE)
                .header("Cache-Control", "no-store")
                // same-origin, not no-referrer: the page's URL (with the token) never leaves for another site, and
                // its own form POST still carries a real Origin. With no-referrer a browser sends "Origin: null",
                // which the server's drive-by protection refuses on a loopback host (./duet run): the button did
                // nothing there (DevInbox, the browser test of the local stack, follows the link and presses it).
                .header("Referrer-Policy", "same-origin")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    }
}
