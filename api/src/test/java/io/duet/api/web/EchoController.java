package io.duet.api.web;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** A JSON endpoint for the HTTP-wide tests: binding, validation, size limits. */
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/test/echo")
@Requires(env = "test")
class EchoController {

    @Post
    EchoRequest echo(@Valid @Body EchoRequest request) {
        return request;
    }

    @Get
    String page(@QueryValue @Min(1) @Max(100) int limit) {
        return "limit " + limit;
    }

    @Serdeable
    record EchoRequest(
            @NotBlank @Email String email, @Min(1) int count) {}
}
