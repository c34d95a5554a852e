package io.duet.api.ops;

import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.server.types.files.StreamedFile;
import io.swagger.v3.oas.annotations.Hidden;

/** {@code GET /ops}: the ops page (queues, concurrency, pause, dead letters); its calls carry the token. */
@Controller("/ops")
@Hidden
final class OpsPageController {
    private final ResourceResolver resources;

    OpsPageController(ResourceResolver resources) {
        this.resources = resources;
    }

    @Get
    HttpResponse<StreamedFile> page() {
        return resources
                .getResource("classpath:ops/index.html")
                .map(url -> HttpResponse.ok(new StreamedFile(url)).contentType(MediaType.TEXT_HTML_TYPE))
                .orElseGet(HttpResponse::notFound);
    }
}
