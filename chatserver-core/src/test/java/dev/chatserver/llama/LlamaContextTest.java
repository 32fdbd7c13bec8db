package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Contexts, batches and samplers on the synthetic model (always available). */
class LlamaContextTest {

    private static LlamaModel model;

    @BeforeAll
    static void load() {
        model = LlamaModel.load(TestModels.tiny(), ModelParams.defaults());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void paramsReachTheContext() {
        try (LlamaContext ctx = model.newContext(new ContextParams(256, 64, 32, 3, 1, 2))) {
            assertThat(ctx.contextTokens()).isEqualTo(256);
            assertThat(ctx.batchTokens()).isEqualTo(64);
            assertThat(ctx.sequences()).isEqualTo(3);
            assertThat(ctx.threads()).isEqualTo(1);
            assertThat(ctx.usedCells()).isZero();
        }
    }

    @Test
    void greedyGenerationIsRepeatable() {
        List<Integer> first = run(Sampler.greedy());
        assertThat(first).isNotEmpty().allSatisfy(t -> assertThat(t).isBetween(0, model.vocab().size() - 1));
        assertThat(run(Sampler.greedy())).isEqualTo(first);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0"})
    void syntheticModelsOfEachWeightTypeLoadAndGenerate(GgmlType type) {
        Path file = TestModels.synthetic(SyntheticModel.builder().type(type).build());
        try (LlamaModel other = LlamaModel.load(file, ModelParams.defaults());
             LlamaContext ctx = other.newContext(ContextParams.of(128, 1, 1));
             Batch batch = Batch.create(32, 1);
             Sampler sampler = Sampler.greedy()) {
            assertThat(Generation.generate(ctx, batch, sampler, "hello world", 0, 6)).isNotEmpty();
            assertThat(other.info().parameters()).isEqualTo(SyntheticModel.tiny().parameterCount());
        }
    }

    @Test
    void withFlashAttentionSequencesInOneBatchGiveTheSameTokensAsEachAlone() {
        ContextParams params = ContextParams.of(256, 3, 1).withFlashAttention(true);
        List<String> prompts = List.of("hello world", "the quick brown fox", "a");
        List<List<Integer>> alone = Generation.alone(model, params, prompts, 24);
        assertThat(alone).anySatisfy(tokens -> assertThat(tokens).hasSizeGreaterThan(8));
        assertThat(Generation.together(model, params, prompts, 24)).isEqualTo(alone);
    }

    @Test
    void flashAttentionRoundsTheContextUpTo256Cells() {
        try (LlamaContext ctx = model.newContext(ContextParams.of(100, 1, 1).withFlashAttention(true))) {
            assertThat(ctx.contextTokens()).isEqualTo(256);
        }
    }

    @Test
    void seededSamplingIsRepeatableAndResettable() {
        Sampler.Builder settings = Sampler.builder().temperature(1.5f).topK(40).topP(0.95f).minP(0.01f).seed(42);
        List<Integer> first = run(settings.build());
        assertThat(run(settings.build())).isEqualTo(first);
        try (Sampler sampler = settings.build()) {
            assertThat(sampler.toString()).contains("top-k 40", "top-p 0.95", "min-p 0.01", "temperature 1.5", "seed 42");
            assertThat(generate(sampler)).isEqualTo(first);
            sampler.reset(); // restarts the random draw from the seed
            assertThat(generate(sampler)).isEqualTo(first);
        }
    }

    private static List<Integer> run(Sampler sampler) {
        try (sampler) {
            return generate(sampler);
        }
    }

    private static List<Integer> generate(Sampler sampler) {
        try (LlamaContext ctx = model.newContext(ContextParams.of(128, 1, 1)); Batch batch = Batch.create(32, 1)) {
            return Generation.generate(ctx, batch, sampler, "hello world", 0, 12);
        }
    }

    @Test
    void badBatchesAreRefusedBeforeLlamaCppSeesThem() {
        try (LlamaContext ctx = model.newContext(new ContextParams(128, 64, 64, 2, 1, 1));
             Batch batch = Batch.create(80, 2);
             Sampler sampler = Sampler.greedy()) {
            assertThatThrownBy(() -> ctx.decode(batch)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
            for (int i = 0; i < 65; i++) batch.add(5, i, 0, false);
            assertThatThrownBy(() -> ctx.decode(batch)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch size 64");
            batch.clear();
            batch.add(5, 0, 2, true);
            assertThatThrownBy(() -> ctx.decode(batch)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence id 2");
            batch.clear();
            batch.add(model.vocab().size(), 0, 0, true);
            assertThatThrownBy(() -> ctx.decode(batch)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
            batch.clear();
            assertThatThrownBy(() -> batch.add(-1, 0, 0, true)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> batch.add(1, 0, new int[] {0, 1, 1}, true)).isInstanceOf(IllegalArgumentException.class);

            batch.add(5, 0, 0, false);
            batch.add(6, 1, new int[] {0, 1}, true);
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            assertThat(ctx.usedCells()).as("the shared cell counts once per sequence").isEqualTo(3);
            assertThatThrownBy(() -> sampler.sample(ctx, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no logits");
            assertThatThrownBy(() -> sampler.sample(ctx, 2)).isInstanceOf(IllegalArgumentException.class);
            assertThat(sampler.sample(ctx, 1)).isBetween(0, model.vocab().size() - 1);
            assertThat(ctx.maxPosition(1)).isEqualTo(1);
        }
    }

    @Test
    void aFullCacheIsARecoverableResult() {
        // llama.cpp v0.5.0 pads n_ctx to a multiple of 256.
        try (LlamaContext ctx = model.newContext(new ContextParams(256, 64, 64, 1, 1, 1)); Batch batch = Batch.create(64, 1)) {
            assertThat(ctx.contextTokens()).isEqualTo(256);
            for (int start = 0; start < 240; start += 60) {
                batch.clear();
                for (int i = start; i < start + 60; i++) batch.add(10 + i % 100, i, 0, i == start + 59);
                assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            }
            batch.clear();
            for (int i = 240; i < 260; i++) batch.add(10 + i % 100, i, 0, i == 259);
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.NO_KV_SLOT);
            assertThatThrownBy(() -> Sampler.greedy().sample(ctx, 19)).isInstanceOf(IllegalArgumentException.class);

            // Make room: drop the first 20 positions and move the rest back, as a context shift does.
            assertThat(ctx.removeTokens(0, 0, 20)).isTrue();
            ctx.shiftTokens(0, 20, -1, -20);
            assertThat(ctx.usedCells()).isEqualTo(220);
            batch.clear();
            for (int i = 220; i < 240; i++) batch.add(10 + i % 100, i, 0, i == 239);
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            assertThat(ctx.maxPosition(0)).isEqualTo(239);
            assertThat(ctx.usedCells()).isEqualTo(240);
        }
    }

    @Test
    void fragmentedFreeCellsAreUsable() {
        // Since mid-2025 llama.cpp places a micro-batch in free cells that need not be contiguous.
        try (LlamaContext ctx = model.newContext(new ContextParams(256, 256, 256, 2, 1, 1)); Batch batch = Batch.create(256, 1)) {
            for (int i = 0; i < 120; i++) batch.add(10 + i, i, 0, false);
            for (int i = 0; i < 120; i++) batch.add(10 + i, i, 1, false);
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            ctx.clearSequence(0);
            assertThat(ctx.usedCells()).isEqualTo(120);
            // 136 cells are free, 120 below sequence 1's and 16 above: 130 fit only across the gap.
            batch.clear();
            for (int i = 0; i < 130; i++) batch.add(10 + i, i, 0, i == 129);
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            assertThat(ctx.usedCells()).isEqualTo(250);
            assertThat(ctx.maxPosition(1)).isEqualTo(119);
        }
    }

    @Test
    void aFullStreamOfOneSequenceIsNoSlotWithoutAUnifiedCache() {
        // kv_unified false: each of the 2 sequences has its own 256 cells.
        try (LlamaContext ctx = model.newContext(new ContextParams(512, 256, 256, 2, 1, 1).withUnifiedKv(false));
             Batch batch = Batch.create(256, 1)) {
            for (int i = 0; i < 250; i++) batch.add(10 + i % 100, i, 0, i == 249);
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            batch.clear();
            for (int i = 250; i < 260; i++) batch.add(10 + i % 100, i, 0, i == 259);
            assertThat(ctx.usedCells()).isLessThan(ctx.contextTokens() - 10);
            assertThat(ctx.decode(batch)).as("sequence 0's stream is full").isEqualTo(DecodeResult.NO_KV_SLOT);
            assertThat(ctx.maxPosition(0)).isEqualTo(249);
            batch.clear();
            for (int i = 0; i < 10; i++) batch.add(10 + i, i, 1, i == 9);
            assertThat(ctx.decode(batch)).as("sequence 1 has its own cells").isEqualTo(DecodeResult.OK);
        }
    }

    @Test
    void aBatchIsReusable() {
        try (Batch batch = Batch.create(4, 1)) {
            assertThat(batch.capacity()).isEqualTo(4);
            for (int i = 0; i < 4; i++) assertThat(batch.add(1, i, 0, i == 3)).isEqualTo(i);
            assertThatThrownBy(() -> batch.add(1, 4, 0, true)).isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
            assertThat(batch.size()).isEqualTo(4);
            assertThat(batch.wantsLogits(3)).isTrue();
            assertThat(batch.wantsLogits(2)).isFalse();
            batch.clear();
            assertThat(batch.size()).isZero();
            assertThat(batch.add(1, 0, 0, false)).isZero();
        }
    }
}
