package dev.chatserver.web;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Starts headless Chromium under Selenium with the system's {@code chromium} and {@code chromedriver} (found on the
 * {@code PATH}, or given with the system properties {@code chatserver.chromium} and {@code webdriver.chrome.driver}).
 * Both executables are passed explicitly, so Selenium never tries to download a browser or driver.
 *
 * <p>Used from the JUnit thread only. Owns the driver and its fresh profile directory until {@link #close()}.
 */
final class HeadlessChromium implements AutoCloseable {

    private final ChromeDriver driver;
    private final Path profile;

    private HeadlessChromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /**
     * Starts a browser, or skips the calling test (with the reason) when chromium or chromedriver is missing.
     *
     * @return the browser
     */
    static HeadlessChromium startOrSkip() {
        Optional<Path> browser = find("chatserver.chromium", List.of("chromium", "chromium-browser", "google-chrome"));
        Optional<Path> driver = find("webdriver.chrome.driver", List.of("chromedriver"));
        assumeTrue(browser.isPresent(), "browser test skipped: no chromium found on PATH or at "
                + "-Dchatserver.chromium=<path> (Debian: apt-get install chromium)");
        assumeTrue(driver.isPresent(), "browser test skipped: no chromedriver found on PATH or at "
                + "-Dwebdriver.chrome.driver=<path> (Debian: apt-get install chromium-driver)");
        try {
            Path profile = Files.createTempDirectory("chatserver-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(browser.get().toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1100,800", "--user-data-dir=" + profile);
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
            options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(driver.get().toFile())
                    .usingAnyFreePort()
                    .withTimeout(Duration.ofSeconds(60))
                    .build();
            return new HeadlessChromium(new ChromeDriver(service, options), profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the console messages of level SEVERE (script errors, Content-Security-Policy violations) so far */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    /** @return the Selenium driver */
    ChromeDriver driver() {
        return driver;
    }

    private static Optional<Path> find(String property, List<String> names) {
        String given = System.getProperty(property);
        if (given != null && !given.isBlank()) {
            Path path = Path.of(given);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String pathVariable = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String name : names) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
