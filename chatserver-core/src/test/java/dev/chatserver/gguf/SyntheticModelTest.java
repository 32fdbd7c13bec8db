package dev.chatserver.gguf;

import dev.chatserver.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyntheticModelTest {

    @TempDir
    Path dir;

    @Test
    void tinyModelIsALlamaModelWithChatMlVocabulary() throws IOException {
        GgufFile file = GgufReader.read(TestModels.tiny());

        assertThat(file.architecture()).contains("llama");
        assertThat(file.string("tokenizer.ggml.model")).contains("llama");
        assertThat(file.string("tokenizer.chat_template")).get().asString().contains("<|im_start|>");
        List<String> tokens = file.array("tokenizer.ggml.tokens").orElseThrow().strings();
        assertThat(tokens).hasSize(SyntheticModel.tiny().vocab()).doesNotHaveDuplicates();
        assertThat(tokens.subList(0, 3)).containsExactly("<unk>", "<s>", "</s>");
        assertThat(tokens.get(3)).isEqualTo("<0x00>");
        assertThat(tokens.get(258)).isEqualTo("<0xFF>");
        assertThat(tokens).contains("<|im_start|>", "<|im_end|>", "▁the", "é", "你", "🙂");
        assertThat(file.integer("tokenizer.ggml.eos_token_id")).hasValue(tokens.indexOf("<|im_end|>"));
        assertThat(file.integer("llama.context_length")).hasValue(32_768);
        assertThat(file.tensors()).extracting(GgufTensorInfo::name)
                .startsWith("token_embd.weight", "blk.0.attn_norm.weight")
                .endsWith("output_norm.weight", "output.weight")
                .contains("blk.1.ffn_up.weight");
        assertThat(file.tensor("blk.0.attn_k.weight").orElseThrow().shape()).containsExactly(64L, 32L);
        assertThat(file.tensor("blk.0.ffn_down.weight").orElseThrow().shape()).containsExactly(192L, 64L);
    }

    @Test
    void sameShapeGivesIdenticalBytesAndAnotherSeedDifferentBytes() throws IOException {
        SyntheticModel model = SyntheticModel.builder().type(GgmlType.Q8_0).build();
        model.write(dir.resolve("a.gguf"));
        model.write(dir.resolve("b.gguf"));
        model.toBuilder().seed(7).build().write(dir.resolve("c.gguf"));

        assertThat(sha256(dir.resolve("a.gguf"))).isEqualTo(sha256(dir.resolve("b.gguf")));
        assertThat(sha256(dir.resolve("c.gguf"))).isNotEqualTo(sha256(dir.resolve("a.gguf")));
        assertThat(Files.size(dir.resolve("c.gguf"))).isEqualTo(Files.size(dir.resolve("a.gguf")));
    }

    @Test
    void cachedInWritesOnceAndNamesTheFileAfterTheShape() throws IOException {
        SyntheticModel model = SyntheticModel.builder().type(GgmlType.F16).build();
        Path first = model.cachedIn(dir);
        long modified = Files.getLastModifiedTime(first).toMillis();

        assertThat(first.getFileName().toString()).isEqualTo("synthetic-" + model.hash() + ".gguf");
        assertThat(model.cachedIn(dir)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first).toMillis()).isEqualTo(modified);
        assertThat(model.toBuilder().seed(1).build().cachedIn(dir)).isNotEqualTo(first);
        assertThat(GgufReader.read(first).tensors()).allSatisfy(t ->
                assertThat(t.type()).isIn(GgmlType.F16, GgmlType.F32));
    }

    @Test
    void inconsistentShapesAreRefused() {
        assertThatThrownBy(() -> SyntheticModel.builder().heads(5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heads");
        assertThatThrownBy(() -> SyntheticModel.builder().type(GgmlType.Q8_0).feedForward(100).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 32");
        assertThatThrownBy(() -> SyntheticModel.builder().vocab(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocab");
        assertThatThrownBy(() -> SyntheticModel.builder().type(GgmlType.Q4_0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("F32, F16, Q8_0 or Q4_K");
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
