package io.duet.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

/** Names the generated OpenAPI document ({@code META-INF/swagger/duet-v1.yml}, served at /openapi.yml). */
@OpenAPIDefinition(info = @Info(
        title = "duet",
        version = "v1",
        description = "Duet: the backend of couples' mobile apps. Errors are RFC 9457 application/problem+json with a stable code.",
        license = @License(name = "Apache-2.0")))
@SecurityScheme(name = "ops", type = SecuritySchemeType.HTTP, scheme = "bearer")
final class ApiDefinition {
    private ApiDefinition() {}
}
