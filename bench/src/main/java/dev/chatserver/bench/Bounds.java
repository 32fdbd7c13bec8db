package dev.chatserver.bench;

/**
 * The machine's two limits on generated tokens per second, from its measured memory bandwidth
 * ({@link MemoryBandwidth}) and arithmetic rate ({@link ComputeThroughput}). A decode step of {@code n} one-token
 * rows reads every weight at least once and multiplies every multiplied parameter once per row (two operations:
 * multiply and add), so it takes at least {@code bytes / bandwidth} and at least {@code 2 × parameters × n / FLOP/s};
 * the lower of the two token rates is the bound. Attention over the cache adds work neither counts. Immutable; any
 * thread.
 *
 * @param bandwidth bytes per second (read + written)
 * @param flops     floating-point operations per second of the decode threads together
 */
record Bounds(double bandwidth, double flops) {

    /** @return tokens/s of {@code sessions} rows per step if a step only read the weights once */
    double memoryTokensPerSecond(ModelFacts model, int sessions) {
        return sessions * bandwidth / model.fileBytes();
    }

    /** @return tokens/s if the machine did nothing but the weights' multiply-adds (any number of rows) */
    double computeTokensPerSecond(ModelFacts model) {
        return flops / (2.0 * model.multipliedParameters());
    }

    /** @return the lower of the two rates: the bound */
    double tokensPerSecond(ModelFacts model, int sessions) {
        return Math.min(memoryTokensPerSecond(model, sessions), computeTokensPerSecond(model));
    }

    /** @return whether the compute rate is the lower one, so the bound */
    boolean computeBound(ModelFacts model, int sessions) {
        return computeTokensPerSecond(model) < memoryTokensPerSecond(model, sessions);
    }

    /** @return milliseconds the multiply-adds of a prompt of {@code promptTokens} tokens take at least */
    double promptMillis(ModelFacts model, double promptTokens) {
        return promptTokens / computeTokensPerSecond(model) * 1e3;
    }
}
