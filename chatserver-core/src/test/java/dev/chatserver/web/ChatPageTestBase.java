package dev.chatserver.web;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the chat page's browser tests share: a fresh headless Chromium per test, or one per class when
 * {@link #shareBrowser()} says so (starting one costs seconds; the test is skipped, visibly, without chromium), and
 * opening the page until it says it is connected. JUnit thread only.
 */
abstract class ChatPageTestBase {

    /** How long a page test waits for anything: generous, for a loaded machine. */
    static final Duration WAIT = Duration.ofMinutes(2);

    /** The browser of a class whose tests share one; null otherwise. */
    private static HeadlessChromium shared;

    HeadlessChromium browser;
    ChromeDriver driver;

    /** @return whether the tests of this class use one browser (each test still loads the page afresh) */
    boolean shareBrowser() {
        return false;
    }

    @BeforeEach
    void openBrowser() {
        if (shareBrowser() && shared != null) {
            browser = shared;
        } else {
            browser = HeadlessChromium.startOrSkip();
            if (shareBrowser()) shared = browser;
        }
        driver = browser.driver();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null && browser != shared) browser.close();
    }

    @AfterAll
    static void closeSharedBrowser() {
        if (shared != null) shared.close();
        shared = null;
    }

    /** Opens the server's page and waits until its WebSocket is open. */
    void open(WebChatServer target) {
        driver.get(target.uri().toString());
        awaitConnected();
    }

    void awaitConnected() {
        new WebDriverWait(driver, WAIT).until(d -> "open".equals(
                d.findElement(By.tagName("body")).getDomAttribute("data-connection")));
    }
}
