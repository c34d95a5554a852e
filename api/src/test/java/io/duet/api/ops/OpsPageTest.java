package io.duet.api.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.Chromium;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The ops page in headless Chromium at 1280×800, against a running node while signups produce load: a missing
 * and a wrong token get a clear message, the right one shows the queues, the live charts draw from the node's
 * samples (the funnel counts the signups), pause/resume and concurrency change the queue as the ops API sees it,
 * and the slow-query panel answers (statements, or how to enable pg_stat_statements).
 */
@MicronautTest(transactional = false)
class OpsPageTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    EmbeddedServer server;

    @Inject
    ObjectMapper json;

    @Test
    void givenTheOpsPage_whenOpsUseItDuringSignups_thenItShowsLiveChartsAndControlsTheQueues() throws Exception {
        Api api = new Api(server.getPort(), json);
        try (Chromium chromium = Chromium.start()) {
            WebDriver browser = chromium.browser();
            browser.get("http://127.0.0.1:" + server.getPort() + "/ops");
            chromium.await(WAIT, () -> status(browser).contains("Type the ops token"));

            WebElement token = browser.findElement(By.id("token"));
            token.sendKeys("not-the-ops-token");
            browser.findElement(By.id("save")).click();
            chromium.await(WAIT, () -> status(browser).contains("The ops token was refused"));

            token.clear();
            token.sendKeys("test-ops-token");
            browser.findElement(By.id("save")).click();
            WebElement email = chromium.await(
                    WAIT,
                    () -> browser.findElements(By.cssSelector("tr[data-queue=email]")).stream()
                            .findFirst()
                            .orElse(null));
            assertFalse(browser.getPageSource().contains("test-ops-token"), "the page never shows the token");

            for (int i = 0; i < 5; i++) {
                var answer = api.post(
                        "/v1/accounts",
                        Map.of(
                                "email", "ops-page-" + UUID.randomUUID() + "@example.com",
                                "password", "a long enough password",
                                "displayName", "Ops"));
                assertEquals(202, answer.status(), answer.body());
            }
            // The funnel chart counts the signups once the node has sampled them (every 5 s).
            chromium.await(
                    WAIT,
                    () -> browser.findElement(By.id("funnelSummary"))
                            .getText()
                            .matches(".*\\b([5-9]|\\d{2,}) signups accepted.*"));
            for (String chart :
                    new String[] {"queueDepth", "queueAge", "funnel", "connections", "http", "pool", "outbox"}) {
                WebElement box = browser.findElement(By.id(chart));
                assertTrue(Integer.parseInt(box.getAttribute("data-points")) > 0, chart + " has no points");
                assertFalse(box.findElements(By.tagName("polyline")).isEmpty(), chart + " draws no line");
            }

            // The promotion panel: the model's needs at the default target beside this node's own report.
            chromium.await(
                    WAIT,
                    () -> browser.findElements(By.cssSelector("#capacity tr[data-row=worker] td"))
                                            .size()
                                    == 3
                            && browser.findElement(By.cssSelector("#capacity tr[data-row=worker] td:nth-child(3)"))
                                    .getText()
                                    .matches("[1-9]\\d*"));
            browser.findElement(By.id("target")).clear();
            browser.findElement(By.id("target")).sendKeys("60000");
            browser.findElement(By.id("plan")).click();
            chromium.await(
                    WAIT,
                    () -> browser.findElement(By.id("planNote")).getText().contains("beyond the account's SES rate"));
            browser.findElement(By.id("target")).clear();
            browser.findElement(By.id("target")).sendKeys("6000");
            browser.findElement(By.id("plan")).click();
            chromium.await(
                    WAIT,
                    () -> !browser.findElements(By.cssSelector("#capacity tr[data-row=gateway]"))
                            .isEmpty());

            browser.findElement(By.xpath("//tr[@data-queue='email']//button[text()='pause']"))
                    .click();
            chromium.await(WAIT, () -> queue(api, "email").contains("\"paused\":true"));
            chromium.await(
                    WAIT,
                    () -> browser.findElement(By.cssSelector("tr[data-queue=email] td"))
                            .getText()
                            .contains("(paused)"));
            browser.findElement(By.xpath("//tr[@data-queue='email']//button[text()='resume']"))
                    .click();
            chromium.await(WAIT, () -> queue(api, "email").contains("\"paused\":false"));

            WebElement concurrency = browser.findElement(By.cssSelector("tr[data-queue=email] input.concurrency"));
            concurrency.clear();
            concurrency.sendKeys("7");
            browser.findElement(By.xpath("//tr[@data-queue='email']//button[text()='set']"))
                    .click();
            chromium.await(WAIT, () -> queue(api, "email").contains("\"concurrency\":7"));

            String slowNote = chromium.await(WAIT, () -> {
                String note = browser.findElement(By.id("slowNote")).getText();
                return note.isEmpty() ? null : note;
            });
            assertTrue(slowNote.contains("pg_stat_statements"), slowNote);
            if (slowNote.startsWith("From pg_stat_statements")) {
                // ./duet test loads it into the test database: the panel lists this node's own statements.
                chromium.await(
                        WAIT,
                        () -> !browser.findElements(By.cssSelector("#slow tbody tr"))
                                .isEmpty());
                assertTrue(browser.findElement(By.id("slow"))
                        .getText()
                        .toLowerCase()
                        .contains("select"));
            } else {
                assertTrue(slowNote.contains("shared_preload_libraries"), "says how to enable it: " + slowNote);
            }

            long width =
                    (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth");
            assertTrue(width <= 1280, "the page fits 1280 px: " + width);
        } finally {
            api.put("/ops/queues/email/concurrency", Map.of("concurrency", 4), "test-ops-token");
            api.post("/ops/queues/email/resume", Map.of(), "test-ops-token");
        }
    }

    private static String status(WebDriver browser) {
        return browser.findElement(By.id("status")).getText();
    }

    private static String queue(Api api, String name) {
        try {
            return api.get("/ops/queues/" + name, "test-ops-token").body();
        } catch (Exception e) {
            return "";
        }
    }
}
