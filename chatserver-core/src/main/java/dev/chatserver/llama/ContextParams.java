package dev.chatserver.llama;

/**
 * The size and threads of a {@link LlamaContext}; the fields of {@code llama_context_params} we set (the rest keep
 * llama.cpp's defaults).
 *
 * @param contextTokens    KV cache cells of all sequences together ({@code n_ctx}): {@code sequences}
 *                         conversations of {@code n} tokens each need {@code sequences * n}
 * @param batchTokens      most tokens one {@code decode} call may carry ({@code n_batch})
 * @param microBatchTokens tokens computed at once inside a decode ({@code n_ubatch}), at most {@code batchTokens}
 * @param sequences        distinct sequence ids, 0 .. sequences-1 ({@code n_seq_max})
 * @param threads          threads for generating one token per sequence ({@code n_threads})
 * @param threadsBatch     threads for prompt batches ({@code n_threads_batch})
 * @param flashAttention   fused attention ({@code flash_attn}): on the CPU it skips the cells of other sequences
 *                         instead of multiplying them by zero, so a sequence's results do not depend on where the
 *                         cells of the others lie (see the package documentation of {@code dev.chatserver.engine});
 *                         {@code flash_attn_type} enabled or disabled, never llama.cpp's "auto"
 * @param unifiedKv        one pool of {@code contextTokens} cells shared by all sequences ({@code kv_unified} true,
 *                         as release b4916 had it), or one stream of {@code contextTokens / sequences} cells per
 *                         sequence (false, llama.cpp's default since mid-2025: a sequence can then never use more
 *                         than its share, nor be crowded out by others)
 */
public record ContextParams(int contextTokens, int batchTokens, int microBatchTokens, int sequences, int threads,
                            int threadsBatch, boolean flashAttention, boolean unifiedKv) {

    /**
     * Params with one shared pool of cells.
     *
     * @param contextTokens    KV cache cells
     * @param batchTokens      tokens per decode call
     * @param microBatchTokens tokens computed at once
     * @param sequences        sequence ids
     * @param threads          threads for single tokens
     * @param threadsBatch     threads for batches
     * @param flashAttention   fused attention
     */
    public ContextParams(int contextTokens, int batchTokens, int microBatchTokens, int sequences, int threads,
                         int threadsBatch, boolean flashAttention) {
        this(contextTokens, batchTokens, microBatchTokens, sequences, threads, threadsBatch, flashAttention, true);
    }

    /**
     * Params without flash attention, with one shared pool of cells.
     *
     * @param contextTokens    KV cache cells
     * @param batchTokens      tokens per decode call
     * @param microBatchTokens tokens computed at once
     * @param sequences        sequence ids
     * @param threads          threads for single tokens
     * @param threadsBatch     threads for batches
     */
    public ContextParams(int contextTokens, int batchTokens, int microBatchTokens, int sequences, int threads,
                         int threadsBatch) {
        this(contextTokens, batchTokens, microBatchTokens, sequences, threads, threadsBatch, false, true);
    }

    /** Default context size in tokens. */
    public static final int DEFAULT_CONTEXT_TOKENS = 2048;
    /** Default batch size in tokens. */
    public static final int DEFAULT_BATCH_TOKENS = 512;

    /**
     * Checks the values.
     *
     * @param contextTokens    positive
     * @param batchTokens      positive
     * @param microBatchTokens positive, at most batchTokens
     * @param sequences        positive
     * @param threads          positive
     * @param threadsBatch     positive
     */
    public ContextParams {
        positive("context tokens", contextTokens);
        positive("batch tokens", batchTokens);
        positive("micro-batch tokens", microBatchTokens);
        positive("sequences", sequences);
        positive("threads", threads);
        positive("batch threads", threadsBatch);
        if (microBatchTokens > batchTokens) {
            throw new IllegalArgumentException("micro-batch tokens (" + microBatchTokens
                    + ") must not exceed batch tokens (" + batchTokens + ")");
        }
    }

    private static void positive(String what, int value) {
        if (value <= 0) throw new IllegalArgumentException(what + " must be positive, was " + value);
    }

    /**
     * @return 2048 context tokens, 512-token batches, one sequence, threads = physical cores (guessed as half the
     *         logical processors)
     */
    public static ContextParams defaults() {
        return of(DEFAULT_CONTEXT_TOKENS, 1, defaultThreads());
    }

    /**
     * @param contextTokens KV cells for all sequences together
     * @param sequences     parallel sequences
     * @param threads       threads for both single tokens and batches
     * @return params with 512-token batches (or the context size when smaller)
     */
    public static ContextParams of(int contextTokens, int sequences, int threads) {
        int batch = Math.min(DEFAULT_BATCH_TOKENS, Math.max(1, contextTokens));
        return new ContextParams(contextTokens, batch, batch, sequences, threads, threads);
    }

    /**
     * @param tokens most tokens per decode call (also the micro-batch size)
     * @return a copy with that batch size
     */
    public ContextParams withBatchTokens(int tokens) {
        return new ContextParams(contextTokens, tokens, tokens, sequences, threads, threadsBatch, flashAttention,
                unifiedKv);
    }

    /**
     * @param enabled whether to use flash attention
     * @return a copy with that setting
     */
    public ContextParams withFlashAttention(boolean enabled) {
        return new ContextParams(contextTokens, batchTokens, microBatchTokens, sequences, threads, threadsBatch, enabled,
                unifiedKv);
    }

    /**
     * @param unified one pool shared by all sequences (true) or a stream per sequence (false)
     * @return a copy with that KV cache layout
     */
    public ContextParams withUnifiedKv(boolean unified) {
        return new ContextParams(contextTokens, batchTokens, microBatchTokens, sequences, threads, threadsBatch,
                flashAttention, unified);
    }

    /** Physical cores, guessed as half the logical processors (at least 1): llama.cpp gains nothing from SMT. */
    static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
