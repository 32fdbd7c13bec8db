package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decoding and greedy sampling with the real stories model. */
class GenerationTest {

    private static LlamaModel model;

    @BeforeAll
    static void load() {
        model = LlamaModel.load(SharedModels.stories(), ModelParams.defaults());
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
            List<Integer> tokens = generate(ctx, batch, sampler, "Once upon a time", 0, 12);
            String text = text(tokens);
            assertThat(text).startsWith(", there was a little girl named Lily");
        }
    }

    @Test
    void twoSequencesInOneBatchGiveTheSameTokensAsEachAlone() {
        String[] prompts = {"Once upon a time", "The cat sat"};
        List<List<Integer>> alone = new ArrayList<>();
        for (String prompt : prompts) {
            try (LlamaContext ctx = model.newContext(ContextParams.of(256, 1, 1));
                 Batch batch = Batch.create(64, 1);
                 Sampler sampler = Sampler.greedy()) {
                alone.add(generate(ctx, batch, sampler, prompt, 0, 16));
            }
        }
        try (LlamaContext ctx = model.newContext(ContextParams.of(512, 2, 1));
             Batch batch = Batch.create(64, 1);
             Sampler s0 = Sampler.greedy(); Sampler s1 = Sampler.greedy()) {
            Sampler[] samplers = {s0, s1};
            int[][] prompt = {model.vocab().tokenize(prompts[0], true, false), model.vocab().tokenize(prompts[1], true, false)};
            int[] last = new int[2];
            int[] pos = new int[2];
            for (int s = 0; s < 2; s++) {
                for (int i = 0; i < prompt[s].length; i++) {
                    int index = batch.add(prompt[s][i], i, s, i == prompt[s].length - 1);
                    if (i == prompt[s].length - 1) last[s] = index;
                }
                pos[s] = prompt[s].length;
            }
            List<List<Integer>> together = List.of(new ArrayList<>(), new ArrayList<>());
            for (int step = 0; step < 16; step++) {
                assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
                int[] next = new int[2];
                for (int s = 0; s < 2; s++) {
                    next[s] = samplers[s].sample(ctx, last[s]);
                    together.get(s).add(next[s]);
                }
                batch.clear();
                for (int s = 0; s < 2; s++) last[s] = batch.add(next[s], pos[s]++, s, true);
            }
            assertThat(together).isEqualTo(alone);
            assertThat(ctx.maxPosition(0)).isEqualTo(pos[0] - 2);
        }
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
            assertThat(ctx.maxPosition(1)).isZero();

            assertThat(ctx.removeTokens(0, 3, -1)).isTrue();
            assertThat(ctx.usedCells()).isEqualTo(3);
            ctx.clear();
            assertThat(ctx.usedCells()).isZero();
        }
    }

    /** Decodes a prompt into sequence {@code seq} and generates greedily; returns the generated tokens. */
    static List<Integer> generate(LlamaContext ctx, Batch batch, Sampler sampler, String prompt, int seq, int count) {
        int[] tokens = ctx.model().vocab().tokenize(prompt, true, false);
        batch.clear();
        for (int i = 0; i < tokens.length; i++) batch.add(tokens[i], i, seq, i == tokens.length - 1);
        int pos = tokens.length;
        int index = tokens.length - 1;
        List<Integer> out = new ArrayList<>();
        for (int step = 0; step < count; step++) {
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            int next = sampler.sample(ctx, index);
            out.add(next);
            if (ctx.model().vocab().isEndOfGeneration(next)) break;
            batch.clear();
            index = batch.add(next, pos++, seq, true);
        }
        return out;
    }

    private static String text(List<Integer> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int t : tokens) bytes.writeBytes(model.vocab().piece(t));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
