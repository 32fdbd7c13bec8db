package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.FinishReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page renders answers as sanitized Markdown while they stream, in headless Chromium. "The model" here is
 * {@link EchoEngine}, which answers every message with the message itself, so each test decides what the answer
 * says; the page sees the same WebSocket protocol as from the real engine. The note under an answer cut by the
 * token limit comes from the real engine on the tiny synthetic model. Skipped (visibly) without chromium.
 */
class ChatPageMarkdownTest extends ChatPageTestBase {

    private static final String MARKDOWN = """
            # Title
            Some *emphasis* and `inline code`.

            - one
            - two

            | a | b |
            |---|---|
            | 1 | 2 |

            A [link](https://example.org/docs).

            ```java
            class A {
                int x = 1 < 2 ? 1 : 2;
            }
            ```
            After the code.""";

    private static ChatEngine echo;
    private static WebChatServer server;

    @Override
    boolean shareBrowser() {
        return true;
    }

    @BeforeAll
    static void start() {
        echo = new EchoEngine(4, Duration.ofMillis(15));
        server = WebChatServer.builder(echo).port(0).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (echo != null) echo.close();
    }

    /** Types a message of several lines (as Shift+Enter would) and sends it with Enter. */
    private void ask(String text) {
        driver.executeScript("""
                const prompt = document.getElementById('prompt');
                prompt.value = arguments[0];
                prompt.dispatchEvent(new Event('input'));
                """, text);
        new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("send")).isEnabled());
        driver.findElement(By.id("prompt")).sendKeys(Keys.ENTER);
    }

    private WebElement awaitAnswer() {
        return new WebDriverWait(driver, WAIT).until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("[data-role=assistant]"));
            if (found.isEmpty()) return null;
            WebElement last = found.getLast();
            return "streaming".equals(last.getDomAttribute("data-state")) ? null : last;
        });
    }

    @Test
    void markdownIsRenderedWhileItStreams() throws Exception {
        open(server);
        // Notes whether a code block with its label showed while the answer was still streaming.
        driver.executeScript("""
                new MutationObserver(() => {
                  const answer = document.querySelector('[data-role=assistant]');
                  if (answer && answer.dataset.state === 'streaming' && answer.querySelector('.code-block .code-lang'))
                    window.codeWhileStreaming = true;
                }).observe(document.getElementById('messages'), {subtree: true, childList: true});
                """);
        ask(MARKDOWN);
        WebElement answer = awaitAnswer();
        assertThat(answer.getDomAttribute("data-state")).isEqualTo("done");
        WebElement bubble = answer.findElement(By.className("bubble"));
        assertThat(bubble.findElement(By.tagName("h1")).getText()).isEqualTo("Title");
        assertThat(bubble.findElement(By.tagName("em")).getText()).isEqualTo("emphasis");
        assertThat(bubble.findElement(By.cssSelector("p > code")).getText()).isEqualTo("inline code");
        assertThat(bubble.findElements(By.cssSelector("ul > li"))).extracting(WebElement::getText)
                .containsExactly("one", "two");
        assertThat(bubble.findElements(By.cssSelector("table td"))).extracting(WebElement::getText)
                .containsExactly("1", "2");
        WebElement link = bubble.findElement(By.cssSelector("a"));
        assertThat(link.getDomAttribute("href")).isEqualTo("https://example.org/docs");
        assertThat(link.getDomAttribute("target")).isEqualTo("_blank");
        assertThat(link.getDomAttribute("rel")).contains("noopener");
        assertThat(bubble.findElement(By.cssSelector(".code-block .code-lang")).getText()).isEqualTo("java");
        assertThat(bubble.findElement(By.cssSelector(".code-block pre > code")).getText())
                .isEqualTo("class A {\n    int x = 1 < 2 ? 1 : 2;\n}");
        assertThat(bubble.findElement(By.cssSelector(".code-block .copy")).getText()).isEqualTo("Copy");
        assertThat(bubble.getText()).endsWith("After the code.");
        assertThat(driver.executeScript("return document.querySelector('[data-role=assistant]').chatRaw"))
                .as("the raw answer is kept").isEqualTo(MARKDOWN);
        assertThat(Integer.parseInt(answer.getDomAttribute("data-renders")))
                .as("rendered again as pieces arrived").isGreaterThan(5);
        assertThat(driver.executeScript("return window.codeWhileStreaming === true"))
                .as("the code block showed before the answer ended").isEqualTo(true);
        assertThat(browser.consoleErrors()).as("no script errors or policy violations").isEmpty();
        Path shots = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
        Files.createDirectories(shots);
        Files.write(shots.resolve("markdown.png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void theCopyButtonCopiesTheCodeAsWritten() {
        open(server);
        ask("```sh\necho \"<hi>\" && ls\n```");
        WebElement answer = awaitAnswer();
        driver.executeScript("""
                window.copied = null;
                navigator.clipboard.writeText = (text) => { window.copied = text; return Promise.resolve(); };
                """);
        WebElement copy = answer.findElement(By.cssSelector(".code-block .copy"));
        assertThat(answer.findElement(By.cssSelector(".code-lang")).getText()).isEqualTo("sh");
        copy.click();
        new WebDriverWait(driver, WAIT).until(d -> "Copied".equals(copy.getText()));
        assertThat(driver.executeScript("return window.copied")).isEqualTo("echo \"<hi>\" && ls\n");
    }

    @Test
    void htmlInAnAnswerIsInert() throws Exception {
        open(server);
        ask("""
                <img src=x onerror="window.injected=1"> <script>window.injected=2</script>
                [click](javascript:window.injected=3) <a href="#" onclick="window.injected=4" id="own">own</a>
                <iframe src="about:blank"></iframe><svg onload="window.injected=5"></svg>
                <b style="color:red" onmouseover="window.injected=6">bold</b>""");
        WebElement answer = awaitAnswer();
        assertThat(answer.getDomAttribute("data-state")).isEqualTo("done");
        Thread.sleep(300);     // an image error or onload would have fired by now
        assertThat(driver.findElements(By.cssSelector("#messages img, #messages script, #messages iframe, "
                + "#messages svg, #own, #messages [onclick], #messages [onerror], #messages [style]"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("#messages a[href^=javascript]"))).isEmpty();
        WebElement bold = answer.findElement(By.cssSelector(".bubble b"));
        assertThat(bold.getText()).as("harmless markup stays").isEqualTo("bold");
        new org.openqa.selenium.interactions.Actions(driver).moveToElement(bold).perform();
        for (WebElement link : answer.findElements(By.cssSelector(".bubble a:not([href])"))) link.click();
        assertThat(driver.executeScript("return window.injected === undefined")).isEqualTo(true);
    }

    @Test
    void escStopsAnAnswerAndAStopBeforeAnyTextLeavesNoEmptyBubble() {
        open(server);
        ask(EchoEngine.SILENT + "never shown");
        new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("stop")).isDisplayed());
        driver.findElement(By.id("prompt")).sendKeys(Keys.ESCAPE);
        WebElement answer = awaitAnswer();
        assertThat(answer.getDomAttribute("data-state")).isEqualTo("cancelled");
        assertThat(answer.findElements(By.className("bubble"))).as("no empty bubble").isEmpty();
        assertThat(answer.findElement(By.className("meta")).getText()).isEqualTo("stopped");
        ask("a second question");
        assertThat(awaitAnswer().findElement(By.className("bubble")).getText()).isEqualTo("a second question");
    }

    @Test
    void aMessageOverTheServersLimitIsNotSentAndTheConversationGoesOn() {
        open(server);
        new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("model-details")).getText().contains("context"));
        ask("x".repeat(65_537));
        WebElement notice = new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.className("notice")));
        assertThat(notice.getText()).isEqualTo("Not sent: the message has 65537 characters, the server takes at most "
                + "65536.");
        assertThat(driver.findElements(By.cssSelector("[data-role]"))).as("nothing sent").isEmpty();
        assertThat(driver.executeScript("return document.getElementById('prompt').value.length")).isEqualTo(65_537L);
        ask("a shorter one");
        assertThat(awaitAnswer().findElement(By.className("bubble")).getText()).isEqualTo("a shorter one");
        assertThat(driver.findElement(By.tagName("body")).getDomAttribute("data-connection")).isEqualTo("open");
    }

    @Test
    void thePhoneLayoutKeepsTheModelLine() {
        Dimension before = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(390, 800));
        try {
            phoneLayout();
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    private void phoneLayout() {
        open(server);
        WebElement details = driver.findElement(By.id("model-details"));
        new WebDriverWait(driver, WAIT).until(d -> details.getText().contains("context"));
        assertThat(details.isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("model-name")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("new-chat")).isDisplayed()).isTrue();
        Long overflow = (Long) driver.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow).as("nothing wider than the phone").isLessThanOrEqualTo(0L);
    }

    @Test
    void anAnswerCutByTheTokenLimitSaysSo() {
        try (ChatEngine tiny = TestEngines.tiny(3);
             WebChatServer tinyServer = WebChatServer.builder(tiny).port(0).start()) {
            var expected = dev.chatserver.testing.TestEngines.answers(tiny, "Hello").getFirst();
            assertThat(expected.completion().reason()).as("3 tokens cut the answer").isEqualTo(FinishReason.MAX_TOKENS);
            open(tinyServer);
            ask("Hello");
            WebElement answer = awaitAnswer();
            assertThat(answer.getDomAttribute("data-state")).isEqualTo("done");
            assertThat(answer.findElement(By.cssSelector(".meta[data-note=length]")).getText())
                    .isEqualTo("stopped: max tokens");
        }
        open(server);
        ask("ends by itself");
        assertThat(awaitAnswer().findElements(By.className("meta"))).as("no note on a whole answer").isEmpty();
    }
}
