package io.duet.api.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;

/**
 * Headless Debian Chromium through its chromedriver (packages {@code chromium} and {@code chromium-driver},
 * which {@code ./duet test} installs), at 1280×800, for the tests of Duet's own pages.
 *
 * <p>A plain WebDriver session on the driver service: Selenium's {@code ChromeDriver} would also open a
 * DevTools connection, which on these machines waits three minutes for a timeout before going on without it.
 */
public final class Chromium implements AutoCloseable {
    private final ChromeDriverService service;
    private final WebDriver browser;

    private Chromium(ChromeDriverService service, WebDriver browser) {
        this.service = service;
        this.browser = browser;
    }

    public static Chromium start() {
        ChromeOptions options = new ChromeOptions()
                .setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        try {
            service.start();
        } catch (IOException e) {
            throw new UncheckedIOException("chromedriver did not start (apt-get install chromium chromium-driver)", e);
        }
        WebDriver browser = new RemoteWebDriver(service.getUrl(), options);
        browser.manage().window().setSize(new Dimension(1280, 800));
        return new Chromium(service, browser);
    }

    public WebDriver browser() {
        return browser;
    }

    /** {@link Await#until} on the page; a timeout shows where the browser is and what it shows. */
    public <T> T await(Duration timeout, Supplier<T> found) throws Exception {
        try {
            return Await.until(timeout, found::get, value -> value != null && !Boolean.FALSE.equals(value));
        } catch (AssertionError e) {
            throw new AssertionError(
                    "the page never got there: " + browser.getCurrentUrl() + "\n" + browser.getPageSource(), e);
        }
    }

    @Override
    public void close() {
        try {
            browser.quit();
        } finally {
            service.stop();
        }
    }
}
