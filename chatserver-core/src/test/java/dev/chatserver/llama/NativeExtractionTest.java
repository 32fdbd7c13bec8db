package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's llama.cpp libraries are extracted once per user cache, atomically: JVMs starting together all load the
 * same complete copy and leave no half-written one behind, and later starts reuse it without writing.
 */
class NativeExtractionTest {

    private static final int JVMS = 4;

    @TempDir
    Path cache;

    @Test
    void jvmsStartingTogetherShareOneCompleteCopyAndLaterStartsReuseIt() throws Exception {
        List<String> lines = startTogether(JVMS);
        assertThat(lines).hasSize(JVMS).allSatisfy(line ->
                assertThat(line).matches("llama\\.cpp v0\\.5\\.0, CPU backend [A-Za-z0-9_]+"));

        Path natives = cache.resolve("chatserver").resolve("natives");
        List<Path> copies;
        try (Stream<Path> entries = Files.list(natives)) {
            copies = entries.toList();
        }
        assertThat(copies).as("one copy, no partial ones").singleElement().satisfies(copy ->
                assertThat(copy.getFileName().toString()).matches("v0\\.5\\.0-[a-z0-9-]+-[0-9a-f]{16}"));
        Path copy = copies.getFirst();
        assertThat(copy.resolve(".complete")).isRegularFile();
        Path llama;
        try (Stream<Path> files = Files.list(copy)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).contains("libggml-base.so").anyMatch(n -> n.startsWith("libggml-cpu-"));
            llama = copy.resolve(names.stream().filter(n -> n.startsWith("libllama")).findFirst().orElseThrow());
        }

        FileTime written = Files.getLastModifiedTime(llama);
        Thread.sleep(1100); // past the file system's time stamp granularity
        assertThat(startTogether(1)).hasSize(1);
        assertThat(Files.getLastModifiedTime(llama)).as("reused, not written again").isEqualTo(written);
    }

    /** Starts {@code count} JVMs at once with this test's cache and returns their output lines. */
    private List<String> startTogether(int count) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ProcessBuilder builder = new ProcessBuilder(java.toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    RuntimeMain.class.getName()).redirectErrorStream(true);
            builder.environment().put("XDG_CACHE_HOME", cache.toString());
            processes.add(builder.start());
        }
        List<String> lines = new ArrayList<>();
        for (Process process : processes) {
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
            assertThat(process.exitValue()).as(out).isZero();
            lines.addAll(out.lines().toList());
        }
        return lines;
    }
}
