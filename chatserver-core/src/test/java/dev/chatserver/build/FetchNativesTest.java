package dev.chatserver.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.llama.LlamaRuntime;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build step that packs llama.cpp's libraries ({@code natives/FetchNatives.java}), run as the build runs it:
 * without npm it stops with one line naming the prerequisite and the override, and the override packs a directory
 * of libraries in the same layout as the npm build.
 */
class FetchNativesTest {

    private static final Path SCRIPT = Path.of("natives", "FetchNatives.java");
    private static final Path LOCK = Path.of("natives", "natives.lock");

    @TempDir
    Path dir;

    @Test
    void withoutNpmTheBuildStopsWithOneLineNamingNodeAndTheOverride() throws Exception {
        Result result = run(List.of("--lock", LOCK.toString(), "--out", dir.resolve("out").toString(),
                "--cache", dir.resolve("empty-cache").toString()), true);

        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.output.lines().toList()).singleElement().asString()
                .startsWith("chatserver-core natives: npm was not found")
                .contains("Node.js 20+ with npm").contains("-Dllama.natives=DIR");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aDirectoryOfLibrariesIsPackedInTheLayoutTheRuntimeReads() throws Exception {
        Path libraries = LlamaRuntime.current().directory(); // the extracted copy of this build's libraries
        Path out = dir.resolve("out");

        Result result = run(List.of("--lock", LOCK.toString(), "--out", out.toString(), "--platform", "linux-x64",
                "--natives-dir", libraries.toString()), false);

        assertThat(result.exitCode).as(result.output).isZero();
        Path packed = out.resolve("dev/chatserver/llama/natives/linux-x64");
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(packed.resolve("natives.properties"))) {
            properties.load(reader);
        }
        assertThat(properties.getProperty("release")).isEqualTo("v0.5.0");
        assertThat(properties.getProperty("integrity")).startsWith("local:");
        assertThat(properties.getProperty("load")).matches("libggml-base\\.so,libggml\\.v[0-9.]+\\.so,libllama\\.v[0-9.]+\\.so");
        for (String file : properties.getProperty("files").split(",")) assertThat(packed.resolve(file)).isRegularFile();
        assertThat(properties.getProperty("files")).contains("libggml-cpu-haswell.so").doesNotContain("llama-common");
        assertThat(packed.resolve("natives/LICENSE-llama.cpp.txt")).content().contains("The ggml authors");
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs the script with this JDK from the module folder, optionally with no npm on the PATH. */
    private static Result run(List<String> args, boolean withoutNpm) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), SCRIPT.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (withoutNpm) builder.environment().put("PATH", "/nonexistent");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
