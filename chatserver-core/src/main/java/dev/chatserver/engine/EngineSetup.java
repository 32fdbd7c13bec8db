package dev.chatserver.engine;

import dev.chatserver.llama.ContextParams;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.ModelParams;

/**
 * How the engine configures llama.cpp: the model's load parameters, the context's size and batch, and the step cap,
 * each as batch invariance needs it (see the package documentation). Stateless; called by the thread that creates
 * the engine.
 */
final class EngineSetup {

    private EngineSetup() {
    }

    /**
     * Most tokens of one decode call while answers must not depend on other sessions, the padding token included:
     * llama.cpp v0.5.0's CPU backend computes a micro-batch of 64 or more rows by another path than one of 2 to 63,
     * whose results differ in the last bits (measured on F32, F16, Q8_0 and Q4_K synthetic models and the story
     * model: a row's logits are identical beside 1 to 62 other rows and different beside 63 or more). Capping every
     * decode at 63 keeps every row on one path, whatever else is in the batch and however a prompt is chunked. The
     * other path is flash attention's tiled kernel: with flash attention off, a history decoded in chunks of 64 and
     * more gave the same logits as in chunks of 2 ({@code FlashAttentionRowsTest} measures both).
     */
    static final int INVARIANT_MAX_ROWS = 63;

    /**
     * How the model is loaded while answers must not depend on other sessions: without ggml's repacked weights.
     * With them (llama.cpp's default) the CPU backend multiplies Q4_K weights by an interleaved kernel that takes
     * rows in groups of four, and a row's logits differ by up to 0.2 in batches of four or more rows, in every step
     * once four or more rows want logits ({@code RepackedWeightsTest}); without them every batch of 1 to 62 rows
     * agrees, as for Q8_0.
     */
    static final ModelParams INVARIANT_MODEL_PARAMS = ModelParams.defaults().withRepacking(false);

    static LlamaModel loadModel(EngineConfig config) {
        return LlamaModel.load(config.model(), modelParams(config));
    }

    /**
     * @return how the engine loads its model: {@link #INVARIANT_MODEL_PARAMS} with batch invariance, llama.cpp's
     *         defaults without
     */
    static ModelParams modelParams(EngineConfig config) {
        return config.batchInvariant() ? INVARIANT_MODEL_PARAMS : ModelParams.defaults();
    }

    static ContextParams contextParams(EngineConfig config) {
        // One micro-batch per decode call: a decode then either stores all its tokens or none. One more sequence id
        // and cell for the padding token of one-token batches, one more batch place for it (see DecodeStep).
        int batch = rowsPerDecode(config) + 1;
        long cells = (long) config.contextPerSession() * config.parallel() + 1;
        if (cells > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("context per session × parallel is too large: " + cells + " tokens");
        }
        return new ContextParams((int) cells, batch, batch,
                config.parallel() + 1, config.threads(), config.threads(), config.batchInvariant());
    }

    /** @return tokens of a step before the padding token: the batch size, capped while batch invariant */
    static int rowsPerDecode(EngineConfig config) {
        return config.batchInvariant() ? Math.min(config.batchSize(), INVARIANT_MAX_ROWS - 1) : config.batchSize();
    }
}
