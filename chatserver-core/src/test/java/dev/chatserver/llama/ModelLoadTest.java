package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that cannot be loaded give a {@link ModelLoadException} naming the file and the reason, never a crash. */
class ModelLoadTest {

    @TempDir
    Path dir;

    @Test
    void missingFile() {
        assertRefused(dir.resolve("absent.gguf"), "no such file");
    }

    @Test
    void directory() {
        assertRefused(dir, "directory");
    }

    @Test
    void emptyFile() throws IOException {
        assertRefused(write("empty.gguf", new byte[0]), "empty");
    }

    @Test
    void notGguf() throws IOException {
        assertRefused(write("notes.gguf", "just some text, not a model\n".getBytes(StandardCharsets.UTF_8)),
                "not a GGUF file");
    }

    @Test
    void truncatedInsideTheMagicAndVersion() throws IOException {
        assertRefused(write("six.gguf", Arrays.copyOf(GgufBytes.header(3, 0, 0).bytes(), 6)), "only 6 bytes");
    }

    @Test
    void ggufVersion1() throws IOException {
        assertRefused(write("v1.gguf", GgufBytes.header(1, 0, 0).bytes()), "GGUF version 1 is not supported");
    }

    @Test
    void futureGgufVersion() throws IOException {
        assertRefused(write("v9.gguf", GgufBytes.header(9, 0, 0).bytes()), "unsupported GGUF version 9");
    }

    @Test
    void unknownArchitecture() throws IOException {
        byte[] gguf = GgufBytes.header(3, 0, 2).kv("general.architecture", "nosucharch").kv("general.alignment", 32).bytes();
        assertRefused(write("nosucharch.gguf", gguf), "unknown model architecture: 'nosucharch'");
    }

    @Test
    void truncatedMetadata() throws IOException {
        byte[] whole = GgufBytes.header(3, 0, 3).kv("general.architecture", "llama").kv("general.name", "cut").bytes();
        assertRefused(write("cut.gguf", Arrays.copyOf(whole, whole.length - 2)), "truncated");
    }

    @Test
    void absurdCounts() throws IOException {
        assertRefused(write("tensors.gguf", GgufBytes.header(3, Long.MAX_VALUE / 2, 0).bytes()), "absurd tensor count");
        assertRefused(write("kvs.gguf", GgufBytes.header(3, 0, Long.MAX_VALUE / 2).bytes()), "absurd metadata entry count");
        byte[] hugeKey = GgufBytes.header(3, 0, 1).u64(Long.MAX_VALUE / 2).raw(new byte[16]).bytes();
        assertRefused(write("key.gguf", hugeKey), "absurd string length");
    }

    @Test
    void unknownArchitectureInAWholeModel() throws IOException {
        assertRefused(ModelVariants.tinyWith(dir, "general.architecture", "nosucharch"), "unknown model architecture: 'nosucharch'");
    }

    @Test
    void concurrentLoadsKeepTheirOwnReasons() throws Exception {
        Path bad = ModelVariants.tinyWith(dir, "general.architecture", "otherarch");
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Path file = i % 2 == 0 ? bad : TestModels.tiny();
                outcomes.add(pool.submit(() -> {
                    try (LlamaModel model = LlamaModel.load(file, ModelParams.defaults())) {
                        return "loaded " + model.info().architecture();
                    } catch (ModelLoadException e) {
                        return e.reason();
                    }
                }));
            }
            for (int i = 0; i < outcomes.size(); i++) {
                String outcome = outcomes.get(i).get(2, TimeUnit.MINUTES);
                assertThat(outcome).isEqualTo(i % 2 == 0
                        ? "unknown model architecture: 'otherarch'"
                        : "loaded llama");
            }
        }
    }

    @Test
    void truncatedSyntheticModel() throws IOException {
        byte[] model = Files.readAllBytes(TestModels.tiny());
        assertRefused(write("tiny-cut.gguf", Arrays.copyOf(model, model.length - 100)), "truncated in the tensor data");
        assertRefused(write("tiny-head.gguf", Arrays.copyOf(model, 1000)), "truncated in the value of metadata entry");
    }

    @Test
    void truncatedRealModel() throws IOException {
        byte[] model = Files.readAllBytes(TestModels.storiesOrSkip());
        assertRefused(write("half.gguf", Arrays.copyOf(model, model.length / 2)), "truncated in the tensor data");
        assertRefused(write("head.gguf", Arrays.copyOf(model, 3000)), "truncated in the value of metadata entry 12");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static void assertRefused(Path file, String reason) {
        assertThatThrownBy(() -> LlamaModel.load(file, ModelParams.defaults()).close())
                .isInstanceOfSatisfying(ModelLoadException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.getMessage()).contains(file.toString()).contains(reason);
                    assertThat(e.reason()).isNotBlank();
                });
    }
}
