package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duet.api.testing.Api;
import io.duet.api.testing.Chromium;
import io.duet.api.testing.Couples;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * Headless Chromium (Debian's chromium and chromium-driver) on the demo page, which runs the JavaScript
 * client's browser bundle: on the WebSocket, forced onto long-polling, and under a Content-Security-Policy
 * that forbids WebSockets, where the client falls back by itself.
 */
class BrowserTest {
    private static EmbeddedServer node;
    private static Api api;
    private static Chromium chromium;

    @BeforeAll
    static void start() {
        node = Gateways.start(Gateways.freshNodeId("browser"), Map.of("duet.queues.workers-enabled", false));
        api = new Api(node.getPort(), node.getApplicationContext().getBean(ObjectMapper.class));
        chromium = Chromium.start();
    }

    @AfterAll
    static void stop() {
        chromium.close();
        node.getApplicationContext().close();
    }

    @Test
    void givenABrowser_whenThePartnerSendsAMessage_thenThePageShowsItOverTheWebSocket() throws Exception {
        WebDriver browser = open("", "");
        assertEquals("websocket", shownMessage(browser, "hello, socket"));
    }

    @Test
    void givenABrowserToldToPoll_whenThePartnerSendsAMessage_thenThePageShowsItOverLongPolling() throws Exception {
        WebDriver browser = open("", "&transport=polling");
        assertEquals("polling", shownMessage(browser, "hello, poller"));
    }

    @Test
    void givenAPolicyForbiddingWebSockets_whenThePageConnects_thenTheClientFallsBackToLongPolling() throws Exception {
        WebDriver browser = open("?csp=no-websocket", "");
        assertEquals("polling", shownMessage(browser, "hello, despite the policy"));
    }

    private Couples.Pair pair;

    private WebDriver open(String query, String fragment) throws Exception {
        pair = Couples.pair(api, "Ada", "Bo");
        WebDriver browser = chromium.browser();
        browser.get("about:blank"); // a new fragment alone would not load the page again
        browser.get("http://127.0.0.1:" + node.getPort() + "/v1/realtime/demo" + query + "#token="
                + pair.b().token() + fragment);
        awaitText(browser, "status", "open", Duration.ofSeconds(15));
        return browser;
    }

    /** The partner sends {@code text}; returns the transport the page shows once the message is on it. */
    private String shownMessage(WebDriver browser, String text) throws Exception {
        GatewayTest.send(api, pair.a(), text);
        awaitText(browser, "events", "message.created: " + text, Duration.ofSeconds(10));
        return browser.findElement(By.id("transport")).getText();
    }

    private static void awaitText(WebDriver browser, String id, String text, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            seen = browser.findElement(By.id(id)).getText();
            if (seen.contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("#" + id + " never showed '" + text + "'; last: " + seen);
    }
}
