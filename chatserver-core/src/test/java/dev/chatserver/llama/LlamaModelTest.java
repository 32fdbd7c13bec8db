package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.testing.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model metadata, chat formatting and the lifecycle of models and what hangs off them. */
class LlamaModelTest {

    private static final List<ChatMessage> CHAT = List.of(
            new ChatMessage(ChatMessage.SYSTEM, "Be brief."),
            new ChatMessage(ChatMessage.USER, "Hi ünd 你好"));
    private static final String CHATML = "<|im_start|>system\nBe brief.<|im_end|>\n"
            + "<|im_start|>user\nHi ünd 你好<|im_end|>\n<|im_start|>assistant\n";

    @TempDir
    Path dir;

    @Test
    void syntheticModelInfoAndTemplate() {
        SyntheticModel shape = SyntheticModel.tiny();
        try (LlamaModel model = LlamaModel.load(TestModels.tiny(), ModelParams.defaults())) {
            ModelInfo info = model.info();
            assertThat(info.architecture()).isEqualTo("llama");
            assertThat(info.name()).isNotBlank();
            assertThat(info.vocabularySize()).isEqualTo(shape.vocab());
            assertThat(info.trainingContext()).isEqualTo(shape.context());
            assertThat(info.parameters()).isEqualTo(shape.parameterCount());
            assertThat(info.sizeBytes()).isPositive();
            assertThat(model.metadata("general.name")).hasValue(info.name());
            assertThat(model.metadata("no.such.key")).isEmpty();
            assertThat(model.chatTemplate()).hasValueSatisfying(t -> assertThat(t).contains("<|im_start|>"));
            assertThat(model.formatChat(CHAT, true)).isEqualTo(CHATML);
            assertThat(model.formatChat(CHAT, false)).isEqualTo(CHATML.substring(0, CHATML.lastIndexOf("<|im_start|>")));
        }
    }

    @Test
    void storiesModelInfoAndChatMlFallback() {
        try (LlamaModel model = LlamaModel.load(SharedModels.stories(), ModelParams.defaults())) {
            assertThat(model.info()).isEqualTo(new ModelInfo("tinyllamas-stories-260k", "llama",
                    model.info().parameters(), model.info().sizeBytes(), 512, 512));
            assertThat(model.info().parameters()).isBetween(200_000L, 300_000L);
            assertThat(model.chatTemplate()).isEmpty();
            assertThat(model.formatChat(CHAT, true)).isEqualTo(CHATML);
        }
    }

    @Test
    void templateLlamaCppDoesNotRecogniseFallsBackToChatMl() throws IOException {
        Path file = ModelVariants.tinyWith(dir, "tokenizer.chat_template", "{{ messages | some_filter_nobody_knows }}");
        try (LlamaModel model = LlamaModel.load(file, ModelParams.defaults())) {
            assertThat(model.chatTemplate()).hasValue("{{ messages | some_filter_nobody_knows }}");
            assertThat(model.formatChat(CHAT, true)).isEqualTo(CHATML);
            assertThat(model.formatChat(CHAT, true)).isEqualTo(CHATML);
        }
    }

    @Test
    void vocabularyOnlyModelTokenizes() {
        try (LlamaModel model = LlamaModel.load(TestModels.tiny(), ModelParams.vocabularyOnly())) {
            assertThat(model.vocab().tokenize("hello", true, false)).isNotEmpty();
            assertThatThrownBy(() -> model.newContext(ContextParams.defaults()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("without weights");
        }
    }

    @Test
    void closedObjectsThrowAndClosingTwiceIsHarmless() {
        LlamaModel model = LlamaModel.load(TestModels.tiny(), ModelParams.defaults());
        Vocab vocab = model.vocab();
        LlamaContext context = model.newContext(ContextParams.of(64, 1, 1));
        LlamaContext second = model.newContext(ContextParams.of(64, 1, 1));
        Batch batch = Batch.create(8, 1);
        Sampler sampler = Sampler.greedy();

        context.close();
        context.close();
        assertThatThrownBy(context::usedCells).isInstanceOf(IllegalStateException.class).hasMessageContaining("LlamaContext");
        assertThatThrownBy(() -> context.decode(batch)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> sampler.sample(context, 0)).isInstanceOf(IllegalStateException.class);

        batch.close();
        batch.close();
        assertThatThrownBy(() -> batch.add(1, 0, 0, true)).isInstanceOf(IllegalStateException.class).hasMessageContaining("Batch");
        assertThatThrownBy(batch::clear).isInstanceOf(IllegalStateException.class);

        sampler.close();
        sampler.close();
        assertThatThrownBy(sampler::reset).isInstanceOf(IllegalStateException.class).hasMessageContaining("Sampler");
        assertThatThrownBy(() -> sampler.accept(1)).isInstanceOf(IllegalStateException.class);

        model.close(); // also closes the context still open on it
        model.close();
        assertThatThrownBy(second::contextTokens).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(model::info).isInstanceOf(IllegalStateException.class).hasMessageContaining("LlamaModel");
        assertThatThrownBy(() -> model.newContext(ContextParams.defaults())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> model.formatChat(CHAT, true)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> vocab.tokenize("x", true, false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> vocab.piece(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(vocab::size).isInstanceOf(IllegalStateException.class);
    }
}
