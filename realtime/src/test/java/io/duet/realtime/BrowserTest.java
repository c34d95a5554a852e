package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duet.api.testing.Api;
import io.duet.api.testing.Chromium;
import io.duet.api.testing.Couples;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/** Headless Chromium (Debian's chromium and chromium-driver) on the demo page, forced onto long-polling. */
class BrowserTest {

    @Test
    void givenABrowserOnLongPolling_whenThePartnerSendsAMessage_thenThePageShowsIt() throws Exception {
        EmbeddedServer node =
                Gateways.start(Gateways.freshNodeId("browser"), Map.of("duet.queues.workers-enabled", false));
        Chromium chromium = Chromium.start();
        WebDriver browser = chromium.browser();
        try {
            Api api = new Api(node.getPort(), node.getApplicationContext().getBean(ObjectMapper.class));
            Couples.Pair pair = Couples.pair(api, "Ada", "Bo");

            browser.get("http://127.0.0.1:" + node.getPort() + "/v1/realtime/demo#transport=polling&token="
                    + pair.b().token());
            awaitText(browser, "status", "waiting", Duration.ofSeconds(15));
            GatewayTest.send(api, pair.a(), "hello, browser");

            awaitText(browser, "events", "message.created: hello, browser", Duration.ofSeconds(10));
            assertEquals("polling", browser.findElement(By.id("transport")).getText());
        } finally {
            chromium.close();
            node.getApplicationContext().close();
        }
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
