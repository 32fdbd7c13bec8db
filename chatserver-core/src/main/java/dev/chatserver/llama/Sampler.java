package dev.chatserver.llama;

import static dev.chatserver.llama.Llama.call;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the next token from a context's logits: a llama.cpp sampler chain ({@code llama_sampler *}).
 * {@link #greedy()} always takes the most likely token; {@link #builder()} makes optional repetition penalties →
 * top-k → top-p → min-p → temperature → random draw with a seed (or penalties → greedy at temperature 0).
 *
 * <p>Keeps state (the random generator), so use one sampler per sequence when results must be reproducible.
 * Not thread-safe: used by one thread (the engine thread); created on any.
 */
public final class Sampler implements AutoCloseable {

    /** {@code LLAMA_DEFAULT_SEED}: llama.cpp picks a random seed. */
    public static final long RANDOM_SEED = 0xFFFF_FFFFL;

    private final Arena arena;
    private final MemorySegment chain;
    private final String description;
    private boolean closed;

    private Sampler(MemorySegment rawChain, String description) {
        this.arena = Arena.ofShared();
        this.chain = rawChain.reinterpret(arena, Llama.freeing(Llama.SAMPLER_FREE));
        this.description = description;
    }

    /** @return a sampler that always picks the most likely token */
    public static Sampler greedy() {
        return builder().build();
    }

    /** @return a builder; temperature 0 (the default) gives a greedy sampler */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Samples the token at a batch index of the last decode and accepts it into this sampler's state.
     *
     * @param context    the context that decoded the batch
     * @param batchIndex index (from {@link Batch#add}) of a token whose logits were requested
     * @return the chosen token
     */
    public int sample(LlamaContext context, int batchIndex) {
        checkOpen();
        MemorySegment ctx = context.handleForSampling(batchIndex);
        try {
            return (int) GenerationCalls.SAMPLER_SAMPLE.invokeExact(chain, ctx, batchIndex);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /**
     * Feeds a token that was not produced by {@link #sample} (which accepts its own result) into the sampler's
     * state, e.g. a prompt token for samplers that look at history. The chains built here keep no history, so
     * this matters only for future chains.
     *
     * @param token a token id
     */
    public void accept(int token) {
        checkOpen();
        try {
            GenerationCalls.SAMPLER_ACCEPT.invokeExact(chain, token);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /** Forgets accepted tokens and restarts the random generator from the seed. */
    public void reset() {
        checkOpen();
        try {
            GenerationCalls.SAMPLER_RESET.invokeExact(chain);
        } catch (Throwable t) {
            throw Llama.rethrow(t);
        }
    }

    /** Frees the chain. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        arena.close();
    }

    @Override
    public String toString() {
        return "Sampler[" + description + (closed ? ", closed]" : "]");
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("Sampler " + description + " is closed");
    }


    /** Collects sampling settings; not thread-safe. Values outside the valid ranges are refused at once. */
    public static final class Builder {
        private float temperature;
        private int topK;
        private float topP = 1;
        private float minP;
        private long seed = RANDOM_SEED;
        private int penaltyVocab;
        private int penaltyLastN;
        private float repeatPenalty = 1;
        private float frequencyPenalty;
        private float presencePenalty;

        private Builder() {
        }

        /**
         * @param t 0 for greedy, else the softmax temperature (&gt; 0)
         * @return this
         */
        public Builder temperature(float t) {
            if (!(t >= 0)) throw new IllegalArgumentException("temperature must be >= 0, was " + t);
            this.temperature = t;
            return this;
        }

        /**
         * @param k keep the k most likely tokens; 0 = off
         * @return this
         */
        public Builder topK(int k) {
            if (k < 0) throw new IllegalArgumentException("top-k must be >= 0, was " + k);
            this.topK = k;
            return this;
        }

        /**
         * @param p keep the smallest set of tokens with this total probability, in (0, 1]; 1 = off
         * @return this
         */
        public Builder topP(float p) {
            if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], was " + p);
            this.topP = p;
            return this;
        }

        /**
         * @param p drop tokens below this fraction of the most likely one's probability, in [0, 1); 0 = off
         * @return this
         */
        public Builder minP(float p) {
            if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("min-p must be in [0, 1), was " + p);
            this.minP = p;
            return this;
        }

        /**
         * @param s seed of the random draw (32 bits are used); {@link #RANDOM_SEED} for a random one
         * @return this
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Adds llama.cpp's penalties sampler ({@code llama_sampler_init_penalties}) in front of the chain: it lowers
         * the logits of tokens this sampler accepted among the last {@code lastN} ones (those it sampled, and any
         * fed to {@link Sampler#accept}). All neutral values (repeat 1, frequency 0, presence 0) leave it out.
         *
         * @param vocabSize the model's vocabulary size ({@link Vocab#size()}), which the sampler needs
         * @param lastN     how many of the last accepted tokens count, 1 or more
         * @param repeat    divides a repeated token's positive logit (multiplies a negative one); 1 = off
         * @param frequency subtracted once per earlier occurrence, in [-2, 2]; 0 = off
         * @param presence  subtracted once if the token occurred at all, in [-2, 2]; 0 = off
         * @return this
         */
        public Builder penalties(int vocabSize, int lastN, float repeat, float frequency, float presence) {
            if (vocabSize < 1) throw new IllegalArgumentException("vocabulary size must be >= 1, was " + vocabSize);
            if (lastN < 1) throw new IllegalArgumentException("penalty window must be >= 1, was " + lastN);
            if (!(repeat > 0)) throw new IllegalArgumentException("repeat penalty must be > 0, was " + repeat);
            if (!(frequency >= -2 && frequency <= 2)) {
                throw new IllegalArgumentException("frequency penalty must be in [-2, 2], was " + frequency);
            }
            if (!(presence >= -2 && presence <= 2)) {
                throw new IllegalArgumentException("presence penalty must be in [-2, 2], was " + presence);
            }
            this.penaltyVocab = vocabSize;
            this.penaltyLastN = lastN;
            this.repeatPenalty = repeat;
            this.frequencyPenalty = frequency;
            this.presencePenalty = presence;
            return this;
        }

        /** @return a new sampler; close it */
        public Sampler build() {
            NativeLibrary.ensureLoaded();
            // no_perf = true: we do not read llama.cpp's timing counters.
            MemorySegment chain = call(() -> (MemorySegment) Llama.SAMPLER_CHAIN_INIT.invokeExact(true));
            List<String> parts = new ArrayList<>();
            try {
                if (penaltyLastN > 0 && (repeatPenalty != 1 || frequencyPenalty != 0 || presencePenalty != 0)) {
                    int vocab = penaltyVocab;
                    int n = penaltyLastN;
                    float repeat = repeatPenalty;
                    float frequency = frequencyPenalty;
                    float presence = presencePenalty;
                    add(chain, call(() -> (MemorySegment) GenerationCalls.SAMPLER_INIT_PENALTIES.invokeExact(
                            vocab, n, repeat, frequency, presence)));
                    parts.add("penalties last " + n + " repeat " + repeat + " frequency " + frequency
                            + " presence " + presence);
                }
                if (temperature == 0) {
                    add(chain, call(() -> (MemorySegment) Llama.SAMPLER_INIT_GREEDY.invokeExact()));
                    parts.add("greedy");
                } else {
                    if (topK > 0) {
                        add(chain, call(() -> (MemorySegment) GenerationCalls.SAMPLER_INIT_TOP_K.invokeExact(topK)));
                        parts.add("top-k " + topK);
                    }
                    if (topP < 1) {
                        add(chain, call(() -> (MemorySegment) GenerationCalls.SAMPLER_INIT_TOP_P.invokeExact(topP, 1L)));
                        parts.add("top-p " + topP);
                    }
                    if (minP > 0) {
                        add(chain, call(() -> (MemorySegment) GenerationCalls.SAMPLER_INIT_MIN_P.invokeExact(minP, 1L)));
                        parts.add("min-p " + minP);
                    }
                    add(chain, call(() -> (MemorySegment) GenerationCalls.SAMPLER_INIT_TEMP.invokeExact(temperature)));
                    parts.add("temperature " + temperature);
                    int s = (int) seed;
                    add(chain, call(() -> (MemorySegment) GenerationCalls.SAMPLER_INIT_DIST.invokeExact(s)));
                    parts.add(seed == RANDOM_SEED ? "random seed" : "seed " + Integer.toUnsignedString(s));
                }
            } catch (RuntimeException e) {
                Llama.freeing(Llama.SAMPLER_FREE).accept(chain);
                throw e;
            }
            return new Sampler(chain, String.join(", ", parts));
        }

        /** Hands a sampler to the chain, which frees it with the chain. */
        private static void add(MemorySegment chain, MemorySegment sampler) {
            if (sampler.equals(MemorySegment.NULL)) throw new LlamaException("llama.cpp could not create a sampler");
            call(() -> {
                Llama.SAMPLER_CHAIN_ADD.invokeExact(chain, sampler);
                return null;
            });
        }
    }
}
