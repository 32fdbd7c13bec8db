package dev.chatserver.engine;

import dev.chatserver.llama.Batch;
import dev.chatserver.llama.DecodeResult;
import dev.chatserver.llama.LlamaContext;
import java.util.Arrays;

/**
 * Finds out, once per engine before any session runs, whether this model on this CPU computes a batch's lone row
 * bit for bit like a row among others. llama.cpp multiplies a one-row batch (and the output layer of a batch with
 * one row of logits) on a matrix-vector path; whether that path rounds like the matrix-matrix one depends on the
 * weights' type and the CPU's kernels (measured in the package documentation: F32 and F16 differ, Q8_0 and Q4_K
 * agree). It compares one row with two; batches of four or more rows agree with those because the engine loads the
 * model without repacked weights ({@link EngineSetup#INVARIANT_MODEL_PARAMS}).
 * Where they agree the engine needs no padding row, and a lone session pays nothing for invariance.
 *
 * <p>The check decodes a short prompt into one sequence, then the same next token three ways at the same cell —
 * alone; beside a padding token with logits; beside one without — and compares the sequence's logits bit for bit.
 * It costs one short prompt and three one-token steps, and leaves the cache empty. Engine thread only (or the
 * thread that builds the engine, before it starts).
 */
final class RowPathCheck {

    /** Prompt tokens decoded first: enough that attention spans several cells. */
    private static final int PROMPT = 6;
    /** The check uses token ids 1 to this; the batch and the context need more room than this too. */
    static final int TOKENS = PROMPT + 2;

    private RowPathCheck() {
    }

    /**
     * @param context    an empty context with at least two sequence ids and {@code PROMPT + 2} free cells
     * @param batch      a batch of at least {@code PROMPT} tokens
     * @param seq        the sequence to watch
     * @param paddingSeq another sequence id, for the neighbour row
     * @param token      a token id; it and the next two are the prompt's, the step's and the neighbour's tokens
     * @return true when a one-row step and both kinds of two-row steps gave the same logits
     */
    static boolean oneRowMatchesMany(LlamaContext context, Batch batch, int seq, int paddingSeq, int token) {
        try {
            batch.clear();
            for (int i = 0; i < PROMPT; i++) batch.add(token + i % 3, i, seq, false);
            decode(context, batch);
            float[] alone = step(context, batch, seq, paddingSeq, token, 0);
            float[] besideOutput = step(context, batch, seq, paddingSeq, token, 1);
            float[] besideNoOutput = step(context, batch, seq, paddingSeq, token, 2);
            return Arrays.equals(alone, besideOutput) && Arrays.equals(alone, besideNoOutput);
        } finally {
            batch.clear();
            context.clear();
        }
    }

    /** Decodes the watched sequence's next token with {@code neighbour}: 0 none, 1 with logits, 2 without. */
    private static float[] step(LlamaContext context, Batch batch, int seq, int paddingSeq, int token,
                                int neighbour) {
        batch.clear();
        int index = batch.add(token + 1, PROMPT, seq, true);
        if (neighbour > 0) batch.add(token, 0, paddingSeq, neighbour == 1);
        decode(context, batch);
        float[] logits = context.logits(index);
        // Free the step's cells (the top-most): the next step's token lands in the same cell.
        context.removeTokens(seq, PROMPT, -1);
        if (neighbour > 0) context.clearSequence(paddingSeq);
        return logits;
    }

    private static void decode(LlamaContext context, Batch batch) {
        DecodeResult result = context.decode(batch);
        if (result != DecodeResult.OK) throw new IllegalStateException("self-check decode failed: " + result);
    }
}
