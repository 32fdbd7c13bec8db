package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.gguf.SyntheticModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's runnable embedding example, {@code examples/EmbeddedChat.java}, run exactly as README shows: the JDK's
 * source launcher with the CLI jar on the class path, so the documented command stays true.
 */
class EmbeddingExampleIT {

    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRunsAgainstTheJar() throws Exception {
        Path example = Path.of("..", "examples", "EmbeddedChat.java");
        assertThat(example).as("the example README links to").isRegularFile();
        Path model = dir.resolve("tiny.gguf");
        SyntheticModel.tiny().write(model);

        Process process = example(example, model.toString(), "Hello! Who are you?", "Say that again, shorter.");
        CompletableFuture<String> out = CliRun.readAsync(process.getInputStream());
        CompletableFuture<String> err = CliRun.readAsync(process.getErrorStream());
        assertThat(process.waitFor(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("finished in time").isTrue();

        assertThat(process.exitValue()).as(err.join()).isZero();
        List<String> lines = out.join().lines().toList();
        assertThat(lines).first().isEqualTo("> Hello! Who are you?");
        assertThat(lines).contains("> Say that again, shorter.");
        assertThat(lines.stream().filter(l -> l.matches("\\[(END|MAX_TOKENS): \\d+ prompt tokens, \\d+ generated]")))
                .hasSize(2);
    }

    @Test
    void withoutTheModelItSaysHowToGetOneInOneLine() throws Exception {
        Path missing = dir.resolve("models").resolve("model.gguf");
        Process process = example(Path.of("..", "examples", "EmbeddedChat.java"), missing.toString(), "Hello");
        CompletableFuture<String> out = CliRun.readAsync(process.getInputStream());
        CompletableFuture<String> err = CliRun.readAsync(process.getErrorStream());
        assertThat(process.waitFor(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("finished in time").isTrue();

        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(out.join()).isEmpty();
        assertThat(err.join().lines().toList()).singleElement().asString()
                .startsWith("no model at " + missing).contains("model pull", "model synth");
    }

    /** Runs the example as README shows: the JDK's source launcher with the CLI jar on the class path. */
    private static Process example(Path example, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", CliRun.jar().toString(), example.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        return process;
    }
}
