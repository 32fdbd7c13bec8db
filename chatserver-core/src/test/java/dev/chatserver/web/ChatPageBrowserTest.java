package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in headless Chromium against the real engine: streamed answers equal the engine's, tabs are separate
 * sessions, Stop cancels, New chat starts over, model output is text. Skipped (visibly) without chromium.
 */
class ChatPageBrowserTest extends ChatPageTestBase {

    private static ChatEngine engine;
    private static WebChatServer server;
    private static List<List<String>> expected;

    @BeforeAll
    static void start() throws Exception {
        engine = TestEngines.tiny(12);
        server = WebChatServer.builder(engine).port(0).start();
        expected = TestEngines.transcripts(engine, "Hello", "Hello");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    private void ask(String text) {
        WebElement prompt = driver.findElement(By.id("prompt"));
        prompt.sendKeys(text);
        new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("send")).isEnabled());
        prompt.sendKeys(Keys.ENTER);
    }

    /** Waits until the n-th answer (from 1) is no longer streaming; returns its state. */
    private String awaitAnswer(int n) {
        return new WebDriverWait(driver, WAIT).until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("[data-role=assistant]"));
            if (found.size() < n) return null;
            String state = found.get(n - 1).getDomAttribute("data-state");
            return "streaming".equals(state) ? null : state;
        });
    }

    private List<String> answers() {
        @SuppressWarnings("unchecked")
        List<String> raw = (List<String>) driver.executeScript(
                "return [...document.querySelectorAll('[data-role=assistant]')].map(e => e.chatRaw);");
        return raw;
    }

    private void screenshot(String name) throws Exception {
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void helloStreamsTheSameAnswerAsTheEngineGivesAFreshSession() throws Exception {
        open(server);
        new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("model-name")).getText()
                .equals(engine.info().modelName()));
        ask("Hello");
        assertThat(awaitAnswer(1)).isEqualTo("done");
        assertThat(answers()).containsExactly(TestEngines.text(expected.get(0)));
        assertThat(driver.findElement(By.cssSelector("[data-role=user]")).getText()).isEqualTo("Hello");
        assertThat(driver.findElement(By.id("send")).isEnabled()).as("send needs text").isFalse();
        assertThat(driver.findElement(By.id("stop")).isDisplayed()).isFalse();
        screenshot("chat.png");
        assertThat(browser.consoleErrors()).as("no script errors or policy violations").isEmpty();
    }

    @Test
    void twoTabsAreTwoIndependentSessions() {
        open(server);
        ask("Hello");
        assertThat(awaitAnswer(1)).isEqualTo("done");
        String first = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        open(server);
        ask("Hello");
        assertThat(awaitAnswer(1)).isEqualTo("done");
        assertThat(answers()).as("second tab: a fresh session").containsExactly(TestEngines.text(expected.get(0)));
        driver.switchTo().window(first);
        ask("Hello");
        assertThat(awaitAnswer(2)).isEqualTo("done");
        assertThat(answers()).as("first tab: its own second turn").containsExactly(
                TestEngines.text(expected.get(0)), TestEngines.text(expected.get(1)));
    }

    @Test
    void stopCancelsTheAnswerMidway() throws Exception {
        try (ChatEngine longEngine = TestEngines.tiny(1000);
             WebChatServer longServer = WebChatServer.builder(longEngine).port(0).start()) {
            String full = TestEngines.text(TestEngines.transcripts(longEngine, "Hello").getFirst());
            assertThat(full.length()).as("a long uncancelled answer").isGreaterThan(200);
            open(longServer);
            // The tiny model is fast: the page itself presses Stop as soon as the first text shows, and notes
            // whether Send was disabled while the answer streamed.
            driver.executeScript("""
                    new MutationObserver((changes, observer) => {
                      const bubble = document.querySelector('[data-role=assistant] .bubble');
                      if (!bubble || bubble.textContent.length === 0) return;
                      observer.disconnect();
                      window.sendWasDisabled = document.getElementById('send').disabled;
                      document.getElementById('stop').click();
                    }).observe(document.getElementById('messages'),
                               {subtree: true, childList: true, characterData: true});
                    """);
            ask("Hello");
            assertThat(awaitAnswer(1)).isEqualTo("cancelled");
            assertThat(driver.executeScript("return window.sendWasDisabled")).isEqualTo(true);
            String stopped = answers().getFirst();
            assertThat(stopped).isNotEmpty();
            assertThat(full).startsWith(stopped);
            assertThat(stopped.length()).as("stopped before the end").isLessThan(full.length());
            driver.findElement(By.id("prompt")).sendKeys("again");
            new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("send")).isEnabled());
        }
    }

    @Test
    void newChatStartsAFreshSession() {
        open(server);
        ask("Hello");
        assertThat(awaitAnswer(1)).isEqualTo("done");
        driver.findElement(By.id("new-chat")).click();
        awaitConnected();
        assertThat(driver.findElements(By.cssSelector("[data-role]"))).isEmpty();
        ask("Hello");
        assertThat(awaitAnswer(1)).isEqualTo("done");
        assertThat(answers()).containsExactly(TestEngines.text(expected.get(0)));
    }

    @Test
    void markupInMessagesIsShownAsTextAndShiftEnterStartsANewLine() {
        open(server);
        String markup = "<img src=x onerror=\"window.injected=1\"><b>bold</b>";
        WebElement prompt = driver.findElement(By.id("prompt"));
        prompt.sendKeys(markup);
        prompt.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
        assertThat(driver.findElements(By.cssSelector("[data-role]"))).as("Shift+Enter does not send").isEmpty();
        ask("second line");
        assertThat(awaitAnswer(1)).isEqualTo("done");
        assertThat(driver.findElement(By.cssSelector("[data-role=user]")).getText())
                .isEqualTo(markup + "\nsecond line");
        assertThat(driver.findElements(By.cssSelector("#messages img, #messages b"))).isEmpty();
        assertThat(driver.executeScript("return window.injected === undefined")).isEqualTo(true);
    }

    @Test
    void thePageReconnectsWhenTheServerComesBack() throws Exception {
        WebChatServer first = WebChatServer.builder(engine).port(0).start();
        int port = first.port();
        open(first);
        first.close();
        new WebDriverWait(driver, WAIT).until(d -> "closed".equals(
                d.findElement(By.tagName("body")).getDomAttribute("data-connection")));
        try (WebChatServer again = WebChatServer.builder(engine).port(port).start()) {
            awaitConnected();
            ask("Hello");
            assertThat(awaitAnswer(1)).isEqualTo("done");
            assertThat(answers()).containsExactly(TestEngines.text(expected.get(0)));
        }
    }
}
