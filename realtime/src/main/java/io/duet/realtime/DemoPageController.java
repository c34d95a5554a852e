package io.duet.realtime;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /v1/realtime/demo}: a small page that connects with the token in its URL fragment and lists
 * the events (WebSocket, or long-polling with {@code transport=polling}); the browser test drives it.
 */
@Controller("/v1/realtime/demo")
@Secured(SecurityRule.IS_ANONYMOUS)
class DemoPageController {
    private final String page;

    DemoPageController() {
        try (InputStream in = DemoPageController.class.getResourceAsStream("/realtime/demo.html")) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get(produces = MediaType.TEXT_HTML)
    HttpResponse<String> page() {
        return HttpResponse.ok(page).header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer");
    }
}
