package dev.chatserver.gguf;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * The tensors of a {@link SyntheticModel}, named, shaped and ordered as llama.cpp's llama architecture expects
 * (shapes in ggml order, row length first): {@code token_embd} [embd, vocab], per block {@code attn_norm} [embd],
 * {@code attn_q} [embd, embd], {@code attn_k}/{@code attn_v} [embd, kvDim], {@code attn_output} [embd, embd],
 * {@code ffn_norm} [embd], {@code ffn_gate}/{@code ffn_up} [embd, ff], {@code ffn_down} [ff, embd], then
 * {@code output_norm} [embd] and {@code output} [embd, vocab]. The qwen3 architecture adds per block
 * {@code attn_q_norm} and {@code attn_k_norm} [head size], applied to every head.
 *
 * <p>Weights are uniform with standard deviation {@code gain / sqrt(fan-in)}; the gains below were chosen by
 * looking at greedy generations of the tiny model: larger query/key gains make attention sharper, so the output
 * depends on which earlier tokens were seen; the output rows of control, byte and end-of-generation tokens are
 * damped so generated text is mostly printable and rarely ends in the first few dozen tokens.
 *
 * <p>Immutable; built on the caller's thread.
 */
final class SyntheticTensors {
    private static final double SQRT3 = Math.sqrt(3);
    static final double EMBEDDING_RANGE = 1.0;
    static final double QUERY_KEY_GAIN = 2.0;
    static final double VALUE_GAIN = 1.0;
    static final double FEED_FORWARD_GAIN = 1.0;
    static final double OUTPUT_GAIN = 3.0;
    /** Output-row factor of {@code <unk>}, {@code <s>}, {@code </s>}, {@code <|im_start|>} and the byte tokens. */
    static final double SPECIAL_OUTPUT_FACTOR = 0.2;
    /**
     * Output-row factor of {@code <|im_end|>}, the end-of-generation token. At 0.9 the tiny model's greedy answers
     * to short ChatML prompts rarely end in the first 64 tokens but some end within a few hundred (0.8: almost
     * never; 1.0: about one in six within 64).
     */
    static final double END_OUTPUT_FACTOR = 0.9;

    private final SyntheticModel model;
    private final List<TensorSource> tensors = new ArrayList<>();

    SyntheticTensors(SyntheticModel model) {
        this.model = model;
    }

    List<TensorSource> all() {
        int embd = model.embd();
        int kvDim = embd / model.heads() * model.kvHeads();
        int ff = model.feedForward();
        matrix("token_embd.weight", embd, model.vocab(), EMBEDDING_RANGE, row -> 1);
        for (int layer = 0; layer < model.layers(); layer++) {
            String block = "blk." + layer + ".";
            norm(block + "attn_norm.weight");
            weights(block + "attn_q.weight", embd, embd, QUERY_KEY_GAIN);
            weights(block + "attn_k.weight", embd, kvDim, QUERY_KEY_GAIN);
            weights(block + "attn_v.weight", embd, kvDim, VALUE_GAIN);
            weights(block + "attn_output.weight", embd, embd, VALUE_GAIN);
            if (model.architecture().equals("qwen3")) {
                norm(block + "attn_q_norm.weight", embd / model.heads());
                norm(block + "attn_k_norm.weight", embd / model.heads());
            }
            norm(block + "ffn_norm.weight");
            weights(block + "ffn_gate.weight", embd, ff, FEED_FORWARD_GAIN);
            weights(block + "ffn_down.weight", ff, embd, FEED_FORWARD_GAIN);
            weights(block + "ffn_up.weight", embd, ff, FEED_FORWARD_GAIN);
        }
        norm("output_norm.weight");
        matrix("output.weight", embd, model.vocab(), OUTPUT_GAIN / Math.sqrt(embd) * SQRT3,
                SyntheticTensors::outputRowFactor);
        return List.copyOf(tensors);
    }

    private static double outputRowFactor(int token) {
        if (token == SyntheticVocabulary.IM_END) {
            return END_OUTPUT_FACTOR;
        }
        return token < SyntheticVocabulary.FIRST_PIECE ? SPECIAL_OUTPUT_FACTOR : 1;
    }

    private void norm(String name) {
        norm(name, model.embd());
    }

    private void norm(String name, int size) {
        tensors.add(new TensorSource(name, List.of((long) size), GgmlType.F32, SyntheticWeights.constant(size, 1f)));
    }

    private void weights(String name, int rowLength, int rows, double gain) {
        matrix(name, rowLength, rows, gain / Math.sqrt(rowLength) * SQRT3, row -> 1);
    }

    private void matrix(String name, int rowLength, int rows, double range, IntToDoubleFunction rowFactor) {
        long seed = mix(model.seed() + mix(tensors.size() + 1L));
        tensors.add(new TensorSource(name, List.of((long) rowLength, (long) rows), model.type(),
                new SyntheticWeights(seed, rows, rowLength, model.type(), range, rowFactor)));
    }

    /** MurmurHash3's 64-bit finaliser: spreads nearby seeds far apart. */
    private static long mix(long value) {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb93fe34e5a53L;
        return z ^ (z >>> 33);
    }
}
