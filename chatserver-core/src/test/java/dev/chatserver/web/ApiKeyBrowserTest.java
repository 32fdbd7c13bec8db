package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * With an API key, a browser that gave the key as its Basic credentials chats through the page (its WebSocket
 * upgrade carries them too), and one without gets no page. Skipped (visibly) without chromium.
 */
class ApiKeyBrowserTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String KEY = "browser-key";

    private static ChatEngine engine;
    private static WebChatServer server;

    @BeforeAll
    static void start() {
        engine = TestEngines.tiny(8);
        server = WebChatServer.builder(engine).port(0).apiKey(KEY).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    @Test
    void aBrowserWithTheKeyChatsAndOneWithoutGetsNoPage() {
        String expected = TestEngines.text(TestEngines.transcripts(engine, "Hello").getFirst());
        try (HeadlessChromium browser = HeadlessChromium.startOrSkip()) {
            ChromeDriver driver = browser.driver();
            driver.get(server.uri().toString());
            assertThat(driver.findElements(By.id("prompt"))).as("no page without the key").isEmpty();

            driver.get("http://anyone:" + KEY + "@127.0.0.1:" + server.port() + "/");
            new WebDriverWait(driver, WAIT).until(d -> "open".equals(
                    d.findElement(By.tagName("body")).getDomAttribute("data-connection")));
            WebElement prompt = driver.findElement(By.id("prompt"));
            prompt.sendKeys("Hello");
            new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("send")).isEnabled());
            prompt.sendKeys(Keys.ENTER);
            String state = new WebDriverWait(driver, WAIT).until(d -> {
                List<WebElement> found = d.findElements(By.cssSelector("[data-role=assistant]"));
                if (found.isEmpty()) return null;
                String s = found.getFirst().getDomAttribute("data-state");
                return "streaming".equals(s) ? null : s;
            });
            assertThat(state).isEqualTo("done");
            @SuppressWarnings("unchecked")
            List<String> answers = (List<String>) driver.executeScript(
                    "return [...document.querySelectorAll('[data-role=assistant]')].map(e => e.chatRaw);");
            assertThat(answers).containsExactly(expected);
        }
    }
}
