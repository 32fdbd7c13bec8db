package dev.chatserver.engine;

import java.util.Objects;
import java.util.Optional;

/**
 * How one stateless request ({@link ChatEngine#complete}) is answered: its own sampling and answer length.
 *
 * @param maxTokens        the most answer tokens, 1 or more; capped by the engine's {@link EngineConfig#maxTokens()}
 *                         and by what is left of the context window
 * @param sampling         the sampling of this request; empty for the engine's configured one
 * @param presencePenalty  subtracted from the logit of every token already in the answer, in [-2, 2]; 0 = off
 * @param frequencyPenalty subtracted per earlier occurrence in the answer, in [-2, 2]; 0 = off
 */
public record RequestOptions(int maxTokens, Optional<Sampling> sampling, float presencePenalty,
                             float frequencyPenalty) {

    /** Tokens at the end of the answer the penalties look at (llama.cpp's default window). */
    public static final int PENALTY_WINDOW = 64;

    /**
     * Checks the ranges.
     *
     * @param maxTokens        1 or more
     * @param sampling         present or empty, not null
     * @param presencePenalty  in [-2, 2]
     * @param frequencyPenalty in [-2, 2]
     */
    public RequestOptions {
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1, was " + maxTokens);
        Objects.requireNonNull(sampling, "sampling");
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw new IllegalArgumentException("presence penalty must be in [-2, 2], was " + presencePenalty);
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw new IllegalArgumentException("frequency penalty must be in [-2, 2], was " + frequencyPenalty);
        }
    }

    /** @return the engine's sampling and answer limit, no penalties */
    public static RequestOptions defaults() {
        return new RequestOptions(Integer.MAX_VALUE, Optional.empty(), 0, 0);
    }

    /** @return true when a penalty is set */
    boolean penalized() {
        return presencePenalty != 0 || frequencyPenalty != 0;
    }
}
