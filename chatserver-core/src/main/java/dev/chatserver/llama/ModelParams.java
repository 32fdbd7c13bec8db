package dev.chatserver.llama;

/**
 * How a model is loaded; the fields of {@code llama_model_params} we set (the rest keep llama.cpp's defaults).
 *
 * @param gpuLayers layers to offload to a GPU (0: CPU only; the bundled library is CPU-only anyway)
 * @param useMmap   map the file instead of reading it into memory (shares pages between processes)
 * @param vocabOnly load only the vocabulary, no weights (for tokenizing without a context)
 */
public record ModelParams(int gpuLayers, boolean useMmap, boolean vocabOnly) {

    /**
     * Checks the values.
     *
     * @param gpuLayers 0 or more
     * @param useMmap   any
     * @param vocabOnly any
     */
    public ModelParams {
        if (gpuLayers < 0) throw new IllegalArgumentException("gpu layers must be >= 0, was " + gpuLayers);
    }

    /** @return CPU only, memory-mapped, with weights */
    public static ModelParams defaults() {
        return new ModelParams(0, true, false);
    }

    /** @return the defaults, but only the vocabulary is loaded */
    public static ModelParams vocabularyOnly() {
        return new ModelParams(0, true, true);
    }
}
