package dev.chatserver.bench;

import dev.chatserver.llama.ContextParams;
import java.util.ArrayList;
import java.util.List;

/**
 * What one run of the benchmarks measures: which parameter values and how many JMH iterations.
 * Immutable; any thread.
 *
 * @param name              {@code quick} or {@code full}
 * @param modes             connection modes of the idle benchmark
 * @param idleCounts        idle connection counts, ascending, already capped by the open-file limit
 * @param idleCapNote       empty, or why the largest idle count is below the wanted one
 * @param idleWarmup        warm-up exchanges per idle trial
 * @param idleMeasure       measured exchanges per idle trial
 * @param models            models of the throughput benchmark ({@link BenchModels} names)
 * @param sessions          concurrent sessions of the throughput benchmark
 * @param tokens            tokens generated per reply in the throughput benchmark
 * @param threads           llama.cpp decode threads, for us and for the anchor
 * @param throughputWarmup  warm-up iterations per throughput trial
 * @param throughputMeasure measured iterations per throughput trial
 * @param throughputSeconds length of one throughput iteration in seconds (as many rounds as fit, at least one)
 * @param ttft              the long-prompt measurement ({@link LongPromptBenchmark}), on {@link #ttftModels()}
 */
record BenchPlan(String name, List<String> modes, List<Integer> idleCounts, String idleCapNote, int idleWarmup,
                 int idleMeasure, List<String> models, List<Integer> sessions, int tokens, int threads,
                 int throughputWarmup, int throughputMeasure, int throughputSeconds, Ttft ttft) {

    /**
     * The time-to-first-token measurement of one long prompt.
     *
     * @param promptTokens prompt tokens wanted (0: not measured); less where the model's context is smaller
     * @param tokens       tokens per reply
     * @param warmup       warm-up replies per trial
     * @param measure      measured replies per trial
     */
    record Ttft(int promptTokens, int tokens, int warmup, int measure) {
        /** Not measured. */
        static final Ttft NONE = new Ttft(0, 1, 0, 0);
    }

    /** Prompt tokens of the time-to-first-token measurement: the engine-speed issue's 1000. */
    static final int TTFT_PROMPT_TOKENS = 1000;

    /**
     * @return the models of the long-prompt measurement, in order: the Qwen2.5-1.5B shapes and the model files
     *         ({@code --model}) among the throughput models; none when it is off
     */
    List<String> ttftModels() {
        if (ttft.promptTokens() <= 0) return List.of();
        return models.stream().filter(m -> BenchModels.isQwen25_1_5bShape(m) || BenchModels.isFile(m)).toList();
    }

    /** @return a copy without the long-prompt measurement */
    BenchPlan withoutTtft() {
        return new BenchPlan(name, modes, idleCounts, idleCapNote, idleWarmup, idleMeasure, models, sessions,
                tokens, threads, throughputWarmup, throughputMeasure, throughputSeconds, Ttft.NONE);
    }

    /** Tokens per reply on the Qwen2.5-1.5B shapes in the quick run: a step takes a good part of a second there. */
    static final int BIG_MODEL_TOKENS = 8;

    /** @return warm-up iterations for this model: one on the 1.5B shapes in the quick run (a round takes long) */
    int warmupFor(String model) {
        return name.equals("quick") && BenchModels.isQwen25_1_5bShape(model) ? 1 : throughputWarmup;
    }

    /** @return measured iterations for this model: one on the 1.5B shapes in the quick run */
    int measureFor(String model) {
        return name.equals("quick") && BenchModels.isQwen25_1_5bShape(model) ? 1 : throughputMeasure;
    }

    /** @return tokens per reply for this model: fewer on the 1.5B shapes in the quick run */
    int tokensFor(String model) {
        return name.equals("quick") && BenchModels.isQwen25_1_5bShape(model) ? BIG_MODEL_TOKENS : tokens;
    }

    /** @return a copy that runs only the throughput benchmark, on these models (in this order) */
    BenchPlan throughputOnly(List<String> throughputModels) {
        return new BenchPlan(name, List.of(), List.of(), "", idleWarmup, idleMeasure, throughputModels, sessions,
                tokens, threads, throughputWarmup, throughputMeasure, throughputSeconds, ttft);
    }

    /** @return a copy with this many decode threads for every implementation */
    BenchPlan withThreads(int decodeThreads) {
        return new BenchPlan(name, modes, idleCounts, idleCapNote, idleWarmup, idleMeasure, models, sessions, tokens,
                decodeThreads, throughputWarmup, throughputMeasure, throughputSeconds, ttft);
    }

    /** @return a copy with these throughput models */
    BenchPlan withModels(List<String> throughputModels) {
        return new BenchPlan(name, modes, idleCounts, idleCapNote, idleWarmup, idleMeasure, throughputModels,
                sessions, tokens, threads, throughputWarmup, throughputMeasure, throughputSeconds, ttft);
    }

    /** The largest idle count anyone asks for. */
    static final int MAX_IDLE = 100_000;

    /** Descriptors the server process keeps for itself besides the idle connections (jars, epoll, clients...). */
    static final int RESERVED_FILES = 1024;

    BenchPlan {
        modes = List.copyOf(modes);
        idleCounts = List.copyOf(idleCounts);
        models = List.copyOf(models);
        sessions = List.copyOf(sessions);
    }

    /**
     * Idle counts up to 10000; tiny, small and the Qwen2.5-1.5B shape in Q8_0 and in Q4_K (8 tokens per reply
     * there), short replies; the 1000-token prompt with one warm-up and two measured replies of 4 tokens.
     */
    static BenchPlan quick(long openFileLimit) {
        List<Integer> wanted = List.of(0, 1000, 10_000);
        return new BenchPlan("quick", List.of("virtual", "platform", "selector"), cap(wanted, openFileLimit),
                capNote(wanted, openFileLimit), 3, 8,
                List.of(BenchModels.TINY, BenchModels.SMALL, BenchModels.QWEN25_1_5B_SHAPE,
                        BenchModels.QWEN25_1_5B_SHAPE_Q4K),
                List.of(1, 2, 4, 8), 32, decodeThreads(), 2, 4, 1, new Ttft(TTFT_PROMPT_TOKENS, 4, 1, 2));
    }

    /**
     * Everything: idle counts up to what the open-file limit allows (at most 100000), the Qwen2.5-1.5B shape in
     * Q8_0 and in Q4_K; the 1000-token prompt with one warm-up and five measured replies.
     */
    static BenchPlan full(long openFileLimit) {
        List<Integer> wanted = List.of(0, 1000, 10_000, MAX_IDLE);
        return new BenchPlan("full", List.of("virtual", "platform", "selector"), cap(wanted, openFileLimit),
                capNote(wanted, openFileLimit), 5, 20, List.of(BenchModels.TINY, BenchModels.QWEN25_1_5B_SHAPE,
                        BenchModels.QWEN25_1_5B_SHAPE_Q4K),
                List.of(1, 2, 4, 8), 64, decodeThreads(), 2, 5, 5, new Ttft(TTFT_PROMPT_TOKENS, 4, 1, 5));
    }

    /** Idle connections one process can hold with this open-file limit, rounded down to a thousand. */
    static int largestIdle(long openFileLimit) {
        if (openFileLimit < 0) return MAX_IDLE;
        long usable = Math.min(MAX_IDLE, openFileLimit - RESERVED_FILES);
        return (int) Math.max(0, usable / 1000 * 1000);
    }

    private static List<Integer> cap(List<Integer> wanted, long openFileLimit) {
        int largest = largestIdle(openFileLimit);
        List<Integer> counts = new ArrayList<>();
        for (int n : wanted) {
            int c = Math.min(n, largest);
            if (!counts.contains(c)) counts.add(c);
        }
        return counts;
    }

    private static String capNote(List<Integer> wanted, long openFileLimit) {
        int largest = largestIdle(openFileLimit);
        int max = wanted.getLast();
        return largest >= max ? "" : "idle connections capped at " + largest + " (wanted " + max
                + ") by the open-file limit of " + openFileLimit + " (ulimit -n; raise the hard limit to go further)";
    }

    /** Decode threads: the engine's default, one per physical core ({@code ContextParams.defaultThreads()}). */
    private static int decodeThreads() {
        return ContextParams.defaultThreads();
    }
}
