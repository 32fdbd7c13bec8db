package dev.chatserver.gguf;

import dev.chatserver.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelSummaryTest {

    @Test
    void summarisesTheTinySyntheticModel() throws IOException {
        Path file = TestModels.tiny();
        SyntheticModel model = SyntheticModel.tiny();

        ModelSummary summary = ModelSummary.of(file);

        assertThat(summary).isEqualTo(new ModelSummary("synthetic-tiny", "llama", model.parameterCount(),
                Files.size(file), 32_768, 800, true, Optional.of(GgmlType.F32)));
        // token_embd + output (800 x 64 each) + per layer 2 norms, q, k, v, o, 3 ffn matrices, + output_norm
        assertThat(summary.parameterCount()).isEqualTo(2L * 800 * 64 + 64
                + 2L * (2 * 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 192));
    }

    @Test
    void summarisesTheStoriesModel() throws IOException {
        ModelSummary summary = ModelSummary.of(TestModels.storiesOrSkip());

        assertThat(summary.architecture()).isEqualTo("llama");
        assertThat(summary.vocabularySize()).isEqualTo(512);
        assertThat(summary.contextLength()).isEqualTo(512);
        assertThat(summary.chatTemplatePresent()).isFalse();
        assertThat(summary.mainTensorType()).contains(GgmlType.F32);
        assertThat(summary.parameterCount()).isBetween(200_000L, 300_000L);
    }

    @Test
    void missingFileIsAFormatException() {
        Path absent = Path.of("absent-model.gguf");
        assertThatThrownBy(() -> ModelSummary.of(absent))
                .isInstanceOf(GgufFormatException.class).hasMessage("absent-model.gguf: no such file");
    }
}
