package dev.chatserver.engine;

import dev.chatserver.llama.Sampler;

/** Builds sampler chains from the engine's and a request's settings. Called on the engine thread. */
final class Samplers {

    private Samplers() {
    }

    /** @return a chain for the engine's configured sampling (each slot has one) */
    static Sampler of(Sampling sampling) {
        return builder(sampling).build();
    }

    /**
     * @param configured the engine's sampling, used when the request names none
     * @param options    the request's settings
     * @param vocabSize  the model's vocabulary size (the penalties sampler needs it)
     * @return a chain of the request's own; the caller closes it
     */
    static Sampler forRequest(Sampling configured, RequestOptions options, int vocabSize) {
        Sampler.Builder builder = builder(options.sampling().orElse(configured));
        if (options.penalized()) {
            builder.penalties(vocabSize, RequestOptions.PENALTY_WINDOW, 1, options.frequencyPenalty(),
                    options.presencePenalty());
        }
        return builder.build();
    }

    private static Sampler.Builder builder(Sampling sampling) {
        if (sampling.isGreedy()) return Sampler.builder();
        return Sampler.builder().topK(sampling.topK()).topP(sampling.topP()).minP(sampling.minP())
                .temperature(sampling.temperature()).seed(sampling.seed());
    }
}
