package io.duet.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Chromium;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * {@code /dev/mail} as a developer uses it, in headless Chromium: the inbox lists the mails newest first, a
 * verification mail opens with its code on a button and its link clickable, the HTML part shows in its sandboxed
 * frame, and following the link and pressing its button confirms the address.
 */
final class DevInbox {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private DevInbox() {}

    static void openInChromium(int port, String code) throws Exception {
        try (Chromium chromium = Chromium.start()) {
            WebDriver browser = chromium.browser();
            browser.get("http://127.0.0.1:" + port + "/dev/mail");
            List<WebElement> subjects = browser.findElements(By.cssSelector("a.subject"));
            assertEquals(2, subjects.size(), browser.getPageSource());
            assertEquals(code + " is your Duet code", subjects.get(0).getText(), "newest first");
            assertEquals("A mail from elsewhere", subjects.get(1).getText());

            subjects.get(0).click();
            WebElement button = chromium.await(
                    WAIT,
                    () -> browser.findElements(By.id("code")).stream()
                            .findFirst()
                            .orElse(null));
            assertEquals(code, button.getText());
            WebElement link = browser.findElement(By.cssSelector("#text a"));
            assertTrue(link.getAttribute("href").contains("/v1/accounts/verify?token="), link.getAttribute("href"));
            WebElement frame = browser.findElement(By.id("html"));
            assertEquals("allow-popups allow-popups-to-escape-sandbox", frame.getAttribute("sandbox"));
            browser.switchTo().frame(frame);
            assertTrue(
                    browser.findElement(By.tagName("body")).getText().contains(code), "the HTML part shows the code");
            browser.switchTo().defaultContent();

            String inbox = browser.getWindowHandle();
            link.click();
            String confirmation = chromium.await(
                    WAIT,
                    () -> browser.getWindowHandles().stream()
                            .filter(handle -> !handle.equals(inbox))
                            .findFirst()
                            .orElse(null));
            browser.switchTo().window(confirmation);
            WebElement confirm = chromium.await(
                    WAIT,
                    () -> browser.findElements(By.cssSelector("button[type=submit]")).stream()
                            .findFirst()
                            .orElse(null));
            assertEquals("Confirm my address", confirm.getText());
            confirm.click();
            chromium.await(WAIT, () -> browser.getPageSource().contains("Your address is confirmed"));
        }
    }
}
