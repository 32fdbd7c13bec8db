package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LlamaRuntime#loadInBackground()}: the library a background thread loaded serves the first use; a failure
 * of that thread reaches every use with its reason (the JVM itself would tell later uses only that the class could
 * not be initialised).
 */
class BackgroundLoadTest {

    @TempDir
    Path empty;

    @Test
    void aLibraryLoadedInTheBackgroundServesEveryUse() throws Exception {
        assertThat(run()).hasSize(2).allSatisfy(line ->
                assertThat(line).matches("llama\\.cpp v0\\.5\\.0, CPU backend [A-Za-z0-9_]+"));
    }

    @Test
    void aFailureInTheBackgroundReachesEveryUseWithItsReason() throws Exception {
        String failure = "failed: cannot load the native llama.cpp library: llama.cpp libraries not found in "
                + empty.toAbsolutePath();
        assertThat(run("-D" + NativeLibrary.DIRECTORY_PROPERTY + "=" + empty)).containsExactly(failure, failure);
    }

    /** @return the output lines of {@link BackgroundLoadMain} in a fresh JVM with the given options */
    private static List<String> run(String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BackgroundLoadMain.class.getName()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines().toList();
    }
}
