package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Decoding and greedy sampling with the real stories model. */
class GenerationTest {

    private static LlamaModel model;

    @BeforeAll
    static void load() {
        TestModels.stories().ifPresent(file -> model = LlamaModel.load(file, ModelParams.defaults()));
    }

    /** Skips the test, visibly (an assumption in {@code @BeforeAll} would hide it), when the model is absent. */
    @BeforeEach
    void requireModel() {
        TestModels.storiesOrSkip();
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void greedyContinuationOfOnceUponATime() {
        try (LlamaContext ctx = model.newContext(ContextParams.of(256, 1, 1));
             Batch batch = Batch.create(64, 1);
             Sampler sampler = Sampler.greedy()) {
            List<Integer> tokens = Generation.generate(ctx, batch, sampler, "Once upon a time", 0, 12);
            String text = text(tokens);
            assertThat(text).startsWith(", there was a little girl named Lily");
        }
    }

    @Test
    void twoSequencesInOneBatchGiveTheSameTokensAsEachAlone() {
        List<String> prompts = List.of("Once upon a time", "The cat sat");
        List<List<Integer>> alone = Generation.alone(model, ContextParams.of(256, 1, 1), prompts, 16);
        assertThat(alone).allSatisfy(tokens -> assertThat(tokens).hasSize(16));
        assertThat(Generation.together(model, ContextParams.of(512, 2, 1), prompts, 16)).isEqualTo(alone);
    }

    @Test
    void removingASequenceFreesItsCells() {
        try (LlamaContext ctx = model.newContext(ContextParams.of(256, 2, 1));
             Batch batch = Batch.create(64, 1)) {
            int[] prompt = model.vocab().tokenize("Once upon a time there was a dog", true, false);
            for (int s = 0; s < 2; s++) {
                for (int i = 0; i < prompt.length; i++) batch.add(prompt[i], i, s, false);
            }
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            assertThat(ctx.usedCells()).isEqualTo(2 * prompt.length);
            assertThat(ctx.maxPosition(1)).isEqualTo(prompt.length - 1);

            ctx.clearSequence(1);
            assertThat(ctx.usedCells()).isEqualTo(prompt.length);
            assertThat(ctx.maxPosition(1)).isEqualTo(-1);

            assertThat(ctx.removeTokens(0, 3, -1)).isTrue();
            assertThat(ctx.usedCells()).isEqualTo(3);
            ctx.clear();
            assertThat(ctx.usedCells()).isZero();
        }
    }

    private static String text(List<Integer> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int t : tokens) bytes.writeBytes(model.vocab().piece(t));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
