package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chatserver.models.ByteSizes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model synth} and {@code model info} through the packaged jar. */
class ModelCommandsIT {

    @TempDir
    Path dir;

    @Test
    void synthWritesAModelThatInfoDescribes() throws Exception {
        Path model = dir.resolve("tiny.gguf");

        CliRun.Result synth = CliRun.run("model", "synth", "--out", model.toString(), "--type", "f16",
                "--layers", "3", "--ctx", "4096", "--seed", "7", "--name", "made-by-test");
        assertThat(synth.exitCode()).as(synth.stderr()).isZero();
        assertThat(synth.stdout()).startsWith("Wrote " + model)
                .endsWith(" parameters, " + ByteSizes.format(Files.size(model)) + System.lineSeparator());
        assertThat(synth.stderr()).isEmpty();
        assertThat(model).isRegularFile();

        CliRun.Result info = CliRun.run("model", "info", model.toString());
        assertThat(info.exitCode()).as(info.stderr()).isZero();
        assertThat(info.stderr()).isEmpty();
        assertThat(info.stdoutLines()).contains(
                "name:           made-by-test",
                "architecture:   llama",
                "weights:        F16",
                "context length: 4096 tokens",
                "vocabulary:     800 tokens",
                "chat template:  yes");
        assertThat(info.stdout()).contains("file size:      " + String.format("%,d", Files.size(model)) + " bytes ("
                + ByteSizes.format(Files.size(model)) + ")");
        assertThat(ByteSizes.format(Files.size(model))).matches("[0-9.]+ (kB|MB)"); // decimal units, as hubs use
        assertThat(info.stdout()).containsPattern("parameters:     [0-9,]+ \\(");
    }

    @Test
    void synthWritesQ4KWhereRowsAreWholeSuperBlocksAndRefusesItElsewhere() throws Exception {
        Path model = dir.resolve("q4k.gguf");

        CliRun.Result synth = CliRun.run("model", "synth", "--out", model.toString(), "--type", "q4_k",
                "--embd", "256", "--ff", "768", "--heads", "8");
        assertThat(synth.exitCode()).as(synth.stderr()).isZero();
        CliRun.Result info = CliRun.run("model", "info", model.toString());
        assertThat(info.exitCode()).as(info.stderr()).isZero();
        assertThat(info.stdoutLines()).contains("weights:        Q4_K");

        Path tiny = dir.resolve("tiny-q4k.gguf");
        CliRun.Result refused = CliRun.run("model", "synth", "--out", tiny.toString(), "--type", "Q4_K");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderrLines()).singleElement().asString().startsWith("error: ")
                .contains("multiples of 256", "embd 64", "feedForward 192");
        assertThat(tiny).doesNotExist();
    }

    @Test
    void synthRefusesToReplaceAFileWithoutForce() throws Exception {
        Path existing = Files.writeString(dir.resolve("keep.gguf"), "precious");

        CliRun.Result result = CliRun.run("model", "synth", "--out", existing.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString().contains("--force");
        assertThat(Files.readString(existing)).isEqualTo("precious");
    }

    @Test
    void synthRejectsAnInconsistentShapeOnOneLine() throws Exception {
        CliRun.Result result = CliRun.run("model", "synth", "--out", dir.resolve("bad.gguf").toString(),
                "--embd", "64", "--heads", "5");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString().startsWith("error: ").contains("heads");
        assertThat(dir.resolve("bad.gguf")).doesNotExist();
    }

    @Test
    void infoDescribesTheSharedStoriesModel() throws Exception {
        Path stories = Path.of(System.getProperty("chatserver.sharedModels", "../../shared/models"))
                .resolve("stories260k.gguf");
        assumeTrue(Files.isRegularFile(stories), "shared model not present: " + stories.toAbsolutePath());

        CliRun.Result info = CliRun.run("model", "info", stories.toString());

        assertThat(info.exitCode()).as(info.stderr()).isZero();
        assertThat(info.stdoutLines()).contains(
                "architecture:   llama",
                "context length: 512 tokens",
                "vocabulary:     512 tokens",
                "chat template:  no (ChatML is used)");
    }

    @Test
    void infoOnAMissingFileIsOneLineAndExitCode2() throws Exception {
        Path missing = dir.resolve("missing.gguf");

        CliRun.Result result = CliRun.run("model", "info", missing.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString()
                .startsWith("error: ").contains(missing.toString());
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void infoOnACorruptFileIsOneLineWithoutStackTrace() throws Exception {
        Path notGguf = Files.writeString(dir.resolve("notes.gguf"), "this is not a model\n");

        CliRun.Result result = CliRun.run("model", "info", notGguf.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString()
                .startsWith("error: ").contains("not a GGUF file");
    }

    @Test
    void infoOnATruncatedFileIsOneLineWithoutStackTrace() throws Exception {
        Path model = dir.resolve("whole.gguf");
        assertThat(CliRun.run("model", "synth", "--out", model.toString()).exitCode()).isZero();
        byte[] bytes = Files.readAllBytes(model);
        Path truncated = Files.write(dir.resolve("truncated.gguf"), java.util.Arrays.copyOf(bytes, 2000));

        CliRun.Result result = CliRun.run("model", "info", truncated.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString().startsWith("error: ").contains("truncated");
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        CliRun.Result result = CliRun.run("model", "info", "--verbose", dir.resolve("missing.gguf").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines().getFirst()).startsWith("error: ");
        assertThat(result.stderr()).contains("GgufFormatException", "\tat ");
    }
}
