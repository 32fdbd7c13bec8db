package dev.chatserver.llama;

/**
 * The outcome of {@link LlamaContext#decode(Batch)} that is not an error (errors throw {@link LlamaException}).
 */
public enum DecodeResult {
    /** The batch was decoded; logits of the flagged tokens can be sampled. */
    OK,
    /**
     * The KV cache had no room for the batch (too few free cells, or too few contiguous ones); nothing was decoded
     * and the cache is as before. Recoverable: free cells (remove sequences or tokens) or decode a smaller batch.
     */
    NO_KV_SLOT,
    /**
     * The computation was stopped by an abort callback (llama.cpp returned 2); the batch may be partly decoded.
     * This package sets no abort callback, so today this reports only a context someone else configured.
     */
    ABORTED
}
