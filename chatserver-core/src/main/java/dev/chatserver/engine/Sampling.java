package dev.chatserver.engine;

/**
 * How the next token is chosen.
 *
 * @param temperature 0 for greedy (the default: answers are reproducible)
 * @param topK        keep the k most likely tokens; 0 = off
 * @param topP        keep the smallest set with this total probability; 1 = off
 * @param minP        drop tokens below this fraction of the most likely one; 0 = off
 * @param seed        random seed for temperature sampling
 */
public record Sampling(float temperature, int topK, float topP, float minP, long seed) {

    /**
     * Checks the ranges.
     *
     * @param temperature 0 or more
     * @param topK        0 or more
     * @param topP        in (0, 1]
     * @param minP        in [0, 1)
     * @param seed        any
     */
    public Sampling {
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, was " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, was " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], was " + topP);
        if (!(minP >= 0 && minP < 1)) throw new IllegalArgumentException("min-p must be in [0, 1), was " + minP);
    }

    /** @return greedy sampling: always the most likely token */
    public static Sampling greedy() {
        return new Sampling(0, 0, 1, 0, 0);
    }

    /** @return true when this is greedy sampling */
    public boolean isGreedy() {
        return temperature == 0;
    }
}
