package io.duet.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.servers.Server;

/** Names the generated OpenAPI document ({@code META-INF/swagger/duet-v1.yml}, served at /openapi.yml). */
@OpenAPIDefinition(
        info =
                @Info(
                        title = "duet",
                        version = "v1",
                        description =
                                "Duet: the backend of couples' mobile apps. Errors are RFC 9457 application/problem+json with a stable code.",
                        license = @License(name = "Apache-2.0", url = "https://www.apache.org/licenses/LICENSE-2.0")),
        servers =
                @Server(
                        url = "/",
                        description = "the host that served this document (./duet run: http://localhost:8080)"),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(
        name = "bearer",
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        bearerFormat = "JWT",
        description = "The access token from POST /v1/sessions or POST /v1/accounts/verify (15 minutes)")
@SecurityScheme(name = "ops", type = SecuritySchemeType.HTTP, scheme = "bearer", description = "DUET_OPS_TOKEN")
final class ApiDefinition {
    private ApiDefinition() {}
}
