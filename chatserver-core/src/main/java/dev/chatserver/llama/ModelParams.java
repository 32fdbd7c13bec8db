package dev.chatserver.llama;

/**
 * How a model is loaded; the fields of {@code llama_model_params} we set (the rest keep llama.cpp's defaults).
 *
 * @param gpuLayers     layers to offload to a GPU (0: CPU only; the bundled library is CPU-only anyway)
 * @param useMmap       map the file instead of reading it into memory (shares pages between processes)
 * @param vocabOnly     load only the vocabulary, no weights (for tokenizing without a context)
 * @param repackWeights let ggml's CPU backend copy the weights it has interleaved kernels for into its own buffers
 *                      ({@code use_extra_bufts}, llama.cpp's default: on). On AVX2 that includes Q4_K (not F32,
 *                      F16 or Q8_0): prompt chunks get faster, loading slower, and a matrix product of four or more
 *                      rows takes another kernel than one of up to three, so a row's result depends on how many
 *                      rows its batch has (see the {@code engine} package documentation)
 */
public record ModelParams(int gpuLayers, boolean useMmap, boolean vocabOnly, boolean repackWeights) {

    /**
     * Checks the values.
     *
     * @param gpuLayers     0 or more
     * @param useMmap       any
     * @param vocabOnly     any
     * @param repackWeights any
     */
    public ModelParams {
        if (gpuLayers < 0) throw new IllegalArgumentException("gpu layers must be >= 0, was " + gpuLayers);
    }

    /** @return CPU only, memory-mapped, with weights, repacked where ggml can (llama.cpp's defaults) */
    public static ModelParams defaults() {
        return new ModelParams(0, true, false, true);
    }

    /** @return the defaults, but only the vocabulary is loaded */
    public static ModelParams vocabularyOnly() {
        return new ModelParams(0, true, true, true);
    }

    /** @return these parameters with {@link #repackWeights()} set to {@code repack} */
    public ModelParams withRepacking(boolean repack) {
        return new ModelParams(gpuLayers, useMmap, vocabOnly, repack);
    }
}
