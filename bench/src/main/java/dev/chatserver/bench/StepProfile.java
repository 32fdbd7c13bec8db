package dev.chatserver.bench;

import dev.chatserver.llama.Batch;
import dev.chatserver.llama.ContextParams;
import dev.chatserver.llama.DecodeResult;
import dev.chatserver.llama.LlamaContext;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.ModelParams;
import dev.chatserver.llama.Sampler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The phases of one lone-session engine step, replayed with the calls the engine makes (batch build, decode,
 * greedy sampling, delivery: the token's piece as text), in thread CPU time of this thread with one decode thread,
 * unpadded and padded alternately so that both see the same background load. Prints one markdown row per model.
 * {@code java -cp bench.jar dev.chatserver.bench.StepProfile STEPS MODEL...} (model: a {@link BenchModels} name or a
 * GGUF file). Single-threaded.
 */
public final class StepProfile {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private StepProfile() {
    }

    /** @param args steps per round, then models */
    public static void main(String[] args) {
        int steps = Integer.parseInt(args[0]);
        System.out.println("| model | rows | batch build µs | decode ms | sampling µs | delivery µs | step ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (int m = 1; m < args.length; m++) {
            String name = args[m];
            // As the engine loads it with batch invariance (its default): without repacked weights.
            try (LlamaModel model = LlamaModel.load(BenchModels.resolve(name),
                    ModelParams.defaults().withRepacking(false))) {
                long[][] sums = new long[2][4];
                for (int round = 0; round < 6; round++) {
                    for (int padded = 0; padded < 2; padded++) {
                        long[] phases = run(model, steps, padded == 1);
                        if (round == 0) continue; // warm-up
                        for (int p = 0; p < 4; p++) sums[padded][p] += phases[p];
                    }
                }
                for (int padded = 0; padded < 2; padded++) {
                    double n = 5.0 * steps;
                    long[] s = sums[padded];
                    System.out.printf("| %s | %d | %.1f | %.2f | %.1f | %.1f | %.2f |%n", BenchModels.label(name),
                            padded + 1, s[0] / n / 1e3, s[1] / n / 1e6, s[2] / n / 1e3, s[3] / n / 1e3,
                            (s[0] + s[1] + s[2] + s[3]) / n / 1e6);
                }
            }
        }
    }

    /** @return thread CPU ns spent in batch build, decode, sampling and delivery over {@code steps} steps */
    private static long[] run(LlamaModel model, int steps, boolean padded) {
        long[] phases = new long[4];
        int[] prompt = model.vocab().tokenize("Tell me a story about a little robot who learns to paint.", true, false);
        try (LlamaContext context = model.newContext(new ContextParams(1024, 64, 64, 2, 1, 1, true));
             Batch batch = Batch.create(64, 1);
             Sampler sampler = Sampler.greedy()) {
            for (int i = 0; i < prompt.length; i++) batch.add(prompt[i], i, 0, i == prompt.length - 1);
            check(context.decode(batch));
            int token = sampler.sample(context, prompt.length - 1);
            int position = prompt.length;
            StringBuilder text = new StringBuilder();
            for (int step = 0; step < steps; step++) {
                long t0 = THREADS.getCurrentThreadCpuTime();
                batch.clear();
                int index = batch.add(token, position++, 0, true);
                if (padded) batch.add(Math.max(0, model.vocab().bos()), 0, 1, true);
                long t1 = THREADS.getCurrentThreadCpuTime();
                check(context.decode(batch));
                if (padded) context.clearSequence(1);
                long t2 = THREADS.getCurrentThreadCpuTime();
                token = sampler.sample(context, index);
                long t3 = THREADS.getCurrentThreadCpuTime();
                text.append(new String(model.vocab().piece(token), StandardCharsets.UTF_8));
                long t4 = THREADS.getCurrentThreadCpuTime();
                phases[0] += t1 - t0;
                phases[1] += t2 - t1;
                phases[2] += t3 - t2;
                phases[3] += t4 - t3;
            }
        }
        return phases;
    }

    private static void check(DecodeResult result) {
        if (result != DecodeResult.OK) throw new IllegalStateException("decode failed: " + result);
    }
}
