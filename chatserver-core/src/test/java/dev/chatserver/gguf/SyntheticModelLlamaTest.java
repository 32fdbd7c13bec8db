package dev.chatserver.gguf;

import dev.chatserver.llama.Batch;
import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.ContextParams;
import dev.chatserver.llama.DecodeResult;
import dev.chatserver.llama.LlamaContext;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.ModelParams;
import dev.chatserver.llama.Sampler;
import dev.chatserver.llama.Vocab;
import dev.chatserver.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** llama.cpp loads synthetic models of every weight type, and their greedy output is usable by tests. */
class SyntheticModelLlamaTest {

    static final int GENERATED = 64;

    private static SyntheticModel tinyOf(GgmlType type) {
        return SyntheticModel.tiny().toBuilder().type(type).build();
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "Q8_0"})
    void loadsWithItsVocabularyAndChatTemplate(GgmlType type) {
        try (LlamaModel model = LlamaModel.load(TestModels.synthetic(tinyOf(type)), ModelParams.defaults())) {
            assertThat(model.info().architecture()).isEqualTo("llama");
            assertThat(model.info().vocabularySize()).isEqualTo(800);
            assertThat(model.info().trainingContext()).isEqualTo(32_768);
            assertThat(model.info().parameters()).isEqualTo(tinyOf(type).parameterCount());
            assertThat(model.chatTemplate()).get().asString().contains("<|im_start|>");
            assertThat(model.formatChat(List.of(new ChatMessage("user", "hi")), true))
                    .isEqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");

            Vocab vocab = model.vocab();
            int imEnd = vocab.tokenize("<|im_end|>", false, true)[0];
            assertThat(imEnd).isEqualTo(SyntheticVocabulary.IM_END);
            assertThat(vocab.isEndOfGeneration(imEnd)).isTrue();
            assertThat(vocab.eos()).isEqualTo(imEnd);
            assertThat(vocab.tokenize("<|im_start|>user", false, true)[0]).isEqualTo(SyntheticVocabulary.IM_START);
            assertThat(vocab.detokenize(vocab.tokenize("héllo 你好 🙂", false, false))).isIn("héllo 你好 🙂", " héllo 你好 🙂");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "Q8_0"})
    void greedyGenerationDependsOnThePromptAndRunsOn(GgmlType type) {
        try (LlamaModel model = LlamaModel.load(TestModels.synthetic(tinyOf(type)), ModelParams.defaults());
             LlamaContext context = model.newContext(ContextParams.of(256, 1, 1))) {
            List<Integer> once = generate(context, "Once upon a time");
            List<Integer> hello = generate(context, "<|im_start|>user\nHello world<|im_end|>\n<|im_start|>assistant\n");

            assertThat(once).hasSize(GENERATED).isNotEqualTo(hello);
            assertThat(hello).hasSize(GENERATED);
            assertThat(once.stream().distinct().count()).isGreaterThan(GENERATED / 4);
            assertThat(hello.stream().distinct().count()).isGreaterThan(GENERATED / 4);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "Q8_0"})
    void aQwen3ModelLoadsAndGenerates(GgmlType type) {
        SyntheticModel shape = tinyOf(type).toBuilder().architecture("qwen3").name("synthetic-qwen3").build();
        assertThat(shape.tensors()).extracting(TensorSource::name)
                .contains("blk.0.attn_q_norm.weight", "blk.1.attn_k_norm.weight");
        try (LlamaModel model = LlamaModel.load(TestModels.synthetic(shape), ModelParams.defaults());
             LlamaContext context = model.newContext(ContextParams.of(256, 1, 1))) {
            assertThat(model.info().architecture()).isEqualTo("qwen3");
            assertThat(model.info().parameters()).isEqualTo(shape.parameterCount());
            assertThat(model.info().trainingContext()).isEqualTo(32_768);
            List<Integer> hello = generate(context, "<|im_start|>user\nHello world<|im_end|>\n<|im_start|>assistant\n");
            assertThat(hello).hasSize(GENERATED);
            assertThat(hello.stream().distinct().count()).isGreaterThan(GENERATED / 4);
            assertThat(generate(context, "Once upon a time")).isNotEqualTo(hello);
        }
    }

    @Test
    void anUnknownArchitectureIsRefused() {
        assertThatThrownBy(() -> SyntheticModel.builder().architecture("gpt2").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("llama, qwen3");
    }

    /** Greedy tokens after {@code prompt}, stopping early only at end of generation. */
    static List<Integer> generate(LlamaContext context, String prompt) {
        Vocab vocab = context.model().vocab();
        int[] tokens = vocab.tokenize(prompt, true, true);
        List<Integer> generated = new ArrayList<>();
        context.clear();
        try (Batch batch = Batch.create(tokens.length, 1); Sampler sampler = Sampler.greedy()) {
            int last = 0;
            for (int i = 0; i < tokens.length; i++) {
                last = batch.add(tokens[i], i, 0, i == tokens.length - 1);
            }
            for (int position = tokens.length; generated.size() < GENERATED; position++) {
                assertThat(context.decode(batch)).isEqualTo(DecodeResult.OK);
                int next = sampler.sample(context, last);
                generated.add(next);
                if (vocab.isEndOfGeneration(next)) {
                    break;
                }
                batch.clear();
                last = batch.add(next, position, 0, true);
            }
        }
        return generated;
    }
}
