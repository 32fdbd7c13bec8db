package dev.chatserver.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's summary of skipped tests ({@code tools/SkippedTests.java}, run by every module's verify phase) on test
 * reports written here: one line per reason, the classes it skipped, nothing from reports older than the mark.
 */
class SkippedTestsReportTest {

    @TempDir
    Path target;

    private static final String REPORT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuite name="x" tests="4" skipped="3">
              <testcase name="a" classname="dev.chatserver.web.PageTest">
                <skipped message="no chromium found"/></testcase>
              <testcase name="b" classname="dev.chatserver.web.PageTest">
                <skipped message="no chromium found"/></testcase>
              <testcase name="c" classname="dev.chatserver.llama.StoryTest">
                <skipped type="org.opentest4j.TestAbortedException"><![CDATA[org.opentest4j.TestAbortedException: \
            Assumption failed: stories260k.gguf not found in DIR
                at somewhere(Somewhere.java:1)
            ]]></skipped></testcase>
              <testcase name="d" classname="dev.chatserver.llama.StoryTest"/>
            </testsuite>
            """;

    private String run() throws IOException, InterruptedException {
        Path tool = Path.of(System.getProperty("basedir", "."), "..", "tools", "SkippedTests.java").normalize();
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                tool.toString(), target.toString(), "some-module").redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(java.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void eachReasonIsOneLineWithTheClassesItSkipped() throws Exception {
        Path reports = Files.createDirectories(target.resolve("surefire-reports"));
        Path old = Files.writeString(reports.resolve("TEST-old.xml"), REPORT.replace("no chromium", "stale"));
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(3600)));
        Files.writeString(target.resolve("test-run-start"), "");
        Files.setLastModifiedTime(target.resolve("test-run-start"), FileTime.from(Instant.now().minusSeconds(60)));
        Files.writeString(reports.resolve("TEST-x.xml"), REPORT);

        assertThat(run().lines()).containsExactly(
                "SKIPPED TESTS in some-module: 3 tests were skipped, so this build checked less than it could:",
                "  PageTest ×2: no chromium found",
                "  StoryTest: stories260k.gguf not found in DIR");
    }

    @Test
    void nothingSkippedPrintsNothing() throws Exception {
        Path reports = Files.createDirectories(target.resolve("failsafe-reports"));
        Files.writeString(reports.resolve("TEST-y.xml"), """
                <testsuite name="y"><testcase name="a" classname="A"/></testsuite>
                """);
        assertThat(run()).isEmpty();
    }
}
