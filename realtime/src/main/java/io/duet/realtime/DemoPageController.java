package io.duet.realtime;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /v1/realtime/demo}: a small page that connects with the token in its URL fragment through the
 * JavaScript client ({@code clients/js}, whose browser bundle the build puts beside the page) and lists the
 * events; the browser test drives it. {@code ?csp=no-websocket} serves it with a Content-Security-Policy
 * that forbids WebSockets, so the client's fallback can be watched.
 */
@Controller("/v1/realtime/demo")
@Secured(SecurityRule.IS_ANONYMOUS)
class DemoPageController {
    /** Scripts from this origin and the page's own; connections only over http(s): no ws: or wss:. */
    static final String NO_WEBSOCKET_POLICY =
            "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src http: https:";

    private final String page = resource("/realtime/demo.html");
    private final String client = resource("/realtime/duet-realtime.min.js");

    @Get(produces = MediaType.TEXT_HTML)
    HttpResponse<String> page(@QueryValue @Nullable String csp) {
        MutableHttpResponse<String> response =
                HttpResponse.ok(page).header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer");
        return "no-websocket".equals(csp) ? response.header("Content-Security-Policy", NO_WEBSOCKET_POLICY) : response;
    }

    @Get(uri = "/duet-realtime.min.js", produces = "text/javascript")
    HttpResponse<String> client() {
        return HttpResponse.ok(client).header("Cache-Control", "no-cache");
    }

    private static String resource(String path) {
        try (InputStream in = DemoPageController.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(
                        path + " is not on the class path (the realtime build copies the client there)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
