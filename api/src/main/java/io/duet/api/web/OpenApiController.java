package io.duet.api.web;

import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.server.types.files.StreamedFile;
import io.swagger.v3.oas.annotations.Hidden;
import java.net.URL;

/**
 * {@code GET /openapi.yml}: the OpenAPI document that the micronaut-openapi processor generates from
 * the controllers at compile time. Swagger UI (bundled, no CDN) answers at {@code /swagger-ui/index.html}.
 */
@Controller
@Hidden
final class OpenApiController {
    static final String DOCUMENT = "classpath:META-INF/swagger/duet-v1.yml";
    private final ResourceResolver resources;

    OpenApiController(ResourceResolver resources) {
        this.resources = resources;
    }

    @Get(uris = {"/openapi.yml", "/openapi.yaml"})
    HttpResponse<StreamedFile> document() {
        URL url = resources.getResource(DOCUMENT).orElseThrow(() -> new NotFoundException("The OpenAPI document"));
        return HttpResponse.ok(new StreamedFile(url)).contentType(MediaType.of("application/yaml"));
    }

    @Get("/swagger-ui")
    HttpResponse<?> swaggerUi() {
        return HttpResponse.redirect(java.net.URI.create("/swagger-ui/index.html"));
    }
}
