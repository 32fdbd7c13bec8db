package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/** Greedy generation loops for tests: one sequence alone, or several sharing each decode. */
final class Generation {

    private Generation() {
    }

    /** Decodes a prompt into sequence {@code seq} and generates; returns the generated tokens (EOG included). */
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

    /** Generates greedily for each prompt in a context of its own. */
    static List<List<Integer>> alone(LlamaModel model, ContextParams params, List<String> prompts, int count) {
        List<List<Integer>> result = new ArrayList<>();
        for (String prompt : prompts) {
            try (LlamaContext ctx = model.newContext(params);
                 Batch batch = Batch.create(params.batchTokens(), 1);
                 Sampler sampler = Sampler.greedy()) {
                result.add(generate(ctx, batch, sampler, prompt, 0, count));
            }
        }
        return result;
    }

    /**
     * Generates greedily for all prompts at once, sequence i for prompt i: one decode per step carries the next
     * token of every sequence still generating.
     */
    static List<List<Integer>> together(LlamaModel model, ContextParams params, List<String> prompts, int count) {
        int n = prompts.size();
        try (LlamaContext ctx = model.newContext(params); Batch batch = Batch.create(params.batchTokens(), 1)) {
            Sampler[] samplers = new Sampler[n];
            int[] last = new int[n];
            int[] pos = new int[n];
            List<List<Integer>> out = new ArrayList<>();
            try {
                for (int s = 0; s < n; s++) {
                    samplers[s] = Sampler.greedy();
                    int[] prompt = model.vocab().tokenize(prompts.get(s), true, false);
                    for (int i = 0; i < prompt.length; i++) last[s] = batch.add(prompt[i], i, s, i == prompt.length - 1);
                    pos[s] = prompt.length;
                    out.add(new ArrayList<>());
                }
                while (batch.size() > 0) {
                    assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
                    int[] next = new int[n];
                    for (int s = 0; s < n; s++) {
                        next[s] = last[s] < 0 ? -1 : samplers[s].sample(ctx, last[s]);
                        if (next[s] >= 0) out.get(s).add(next[s]);
                    }
                    batch.clear();
                    for (int s = 0; s < n; s++) {
                        boolean more = next[s] >= 0 && out.get(s).size() < count
                                && !model.vocab().isEndOfGeneration(next[s]);
                        last[s] = more ? batch.add(next[s], pos[s]++, s, true) : -1;
                    }
                }
            } finally {
                for (Sampler s : samplers) if (s != null) s.close();
            }
            return out;
        }
    }
}
