package dev.chatserver.engine;

import dev.chatserver.llama.ContextParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link ChatEngine} is built from.
 *
 * @param model             the GGUF file
 * @param contextPerSession context tokens per conversation (default 2048)
 * @param parallel          sequences decoded together in one batch (default 4)
 * @param threads           decode threads (default: physical cores)
 * @param batchSize         tokens per decode call (default 512)
 * @param sampling          how tokens are chosen (default greedy)
 * @param maxTokens         maximum tokens per answer (default 1024)
 * @param systemPrompt      the system message each conversation starts with, if any
 * @param maxQueued         replies that may wait for a slot before new ones are refused as busy (default 256)
 * @param bufferPieces      text pieces a reply may buffer before its session pauses (default 64)
 * @param batchInvariant    whether a session's logits are bit for bit independent of the other sessions and of
 *                          evictions (default true). It costs speed when a session generates alone: its one-token
 *                          batches get a padding token, a second row computed on every step (measured on a 2-core
 *                          CPU with one decode thread, a lone session: about 130 against 300 tokens/s on the
 *                          {@code small} bench model, 3.8 against 7 on the Qwen2.5-1.5B shape in Q8_0). Off, the
 *                          engine decodes lone tokens as they are, turns flash attention off and lets ggml repack
 *                          the weights it has faster kernels for (llama.cpp's defaults; Q4_K prompts decode about
 *                          1.5 times faster repacked); answers then still never mix between sessions, but their
 *                          last bits, and so rarely a greedy token, may depend on what the other sessions do (see
 *                          the package documentation)
 * @param maxDraftTokens    most tokens drafted per decode step in place of the padding row (default
 *                          {@value #DEFAULT_MAX_DRAFT_TOKENS} = off: plain padding; at most {@code batchSize}; without
 *                          {@code batchInvariant} there is no padding and nothing is drafted). A step that would be
 *                          padded because its only row with logits is one session's next token carries instead
 *                          guesses of the tokens after it, found by prompt lookup in the session's own history (when
 *                          its last two or three tokens occurred before), one at first and more while they come
 *                          true. The model's own sampling confirms them one by one, so answers are bit for bit those
 *                          without drafting, and each confirmed guess saves a decode step. Whether that pays depends
 *                          on how often the guesses come true against what a drafted row costs: it attends to the
 *                          whole conversation, the padding token only to itself. Measured on a 2-core CPU, a drafted
 *                          row cost 0.1 to 0.65 of a padded step more than the padding row on small models (the
 *                          more, the longer the conversation) and nothing more on the Qwen2.5-1.5B shape,
 *                          while about half of the guesses came true on the stories model and almost none on
 *                          random-weight models: off by default, worth turning on for larger models and answers that
 *                          repeat or copy from the conversation (see the package documentation)
 * @param pausedReplyGrace  how long a reply whose listener takes no text (its buffer full) keeps its slot while other
 *                          work waits for one (default 0.5 s); then it gives the slot up and resumes later with the
 *                          same answer, so clients that stop reading cannot hold every slot
 */
public record EngineConfig(Path model, int contextPerSession, int parallel, int threads, int batchSize,
                           Sampling sampling, int maxTokens, Optional<String> systemPrompt, int maxQueued,
                           int bufferPieces, boolean batchInvariant, int maxDraftTokens, Duration pausedReplyGrace) {

    /** The default of {@link #maxDraftTokens()}. */
    public static final int DEFAULT_MAX_DRAFT_TOKENS = 0;

    /**
     * Checks the values.
     */
    public EngineConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(systemPrompt, "systemPrompt");
        Objects.requireNonNull(pausedReplyGrace, "pausedReplyGrace");
        if (pausedReplyGrace.isNegative()) throw new IllegalArgumentException("paused reply grace must not be negative");
        positive("context per session", contextPerSession);
        positive("parallel", parallel);
        positive("threads", threads);
        positive("batch size", batchSize);
        positive("max tokens", maxTokens);
        positive("max queued", maxQueued);
        positive("buffer pieces", bufferPieces);
        if (maxDraftTokens < 0 || maxDraftTokens > batchSize) {
            throw new IllegalArgumentException("max draft tokens must be between 0 and the batch size " + batchSize
                    + ", was " + maxDraftTokens);
        }
    }

    /**
     * This config with another context per session, everything else equal.
     *
     * @param tokens context tokens per conversation
     * @return the changed config
     */
    public EngineConfig withContextPerSession(int tokens) {
        return new EngineConfig(model, tokens, parallel, threads, batchSize, sampling, maxTokens, systemPrompt,
                maxQueued, bufferPieces, batchInvariant, maxDraftTokens, pausedReplyGrace);
    }

    private static void positive(String what, int value) {
        if (value <= 0) throw new IllegalArgumentException(what + " must be positive, was " + value);
    }

    /**
     * Starts a builder with the defaults.
     *
     * @param model the GGUF file
     * @return a builder
     */
    public static Builder builder(Path model) {
        return new Builder(model);
    }

    /** Physical cores this process may use: {@link ContextParams#defaultThreads()}. */
    static int defaultThreads() {
        return ContextParams.defaultThreads();
    }

    /** Builds an {@link EngineConfig}; not thread-safe. */
    public static final class Builder {
        private final Path model;
        private int contextPerSession = 2048;
        private int parallel = 4;
        private int threads = defaultThreads();
        private int batchSize = 512;
        private Sampling sampling = Sampling.greedy();
        private int maxTokens = 1024;
        private Optional<String> systemPrompt = Optional.empty();
        private int maxQueued = 256;
        private int bufferPieces = 64;
        private boolean batchInvariant = true;
        private int maxDraftTokens = DEFAULT_MAX_DRAFT_TOKENS;
        private Duration pausedReplyGrace = Duration.ofMillis(500);

        private Builder(Path model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** @param tokens context tokens per conversation @return this */
        public Builder contextPerSession(int tokens) { this.contextPerSession = tokens; return this; }

        /** @param sequences sequences decoded together @return this */
        public Builder parallel(int sequences) { this.parallel = sequences; return this; }

        /** @param threads decode threads @return this */
        public Builder threads(int threads) { this.threads = threads; return this; }

        /** @param tokens tokens per decode call @return this */
        public Builder batchSize(int tokens) { this.batchSize = tokens; return this; }

        /** @param sampling how tokens are chosen @return this */
        public Builder sampling(Sampling sampling) { this.sampling = sampling; return this; }

        /** @param tokens maximum tokens per answer @return this */
        public Builder maxTokens(int tokens) { this.maxTokens = tokens; return this; }

        /** @param prompt the system message, or null for none @return this */
        public Builder systemPrompt(String prompt) { this.systemPrompt = Optional.ofNullable(prompt); return this; }

        /** @param replies replies that may wait for a slot @return this */
        public Builder maxQueued(int replies) { this.maxQueued = replies; return this; }

        /** @param pieces text pieces a reply may buffer @return this */
        public Builder bufferPieces(int pieces) { this.bufferPieces = pieces; return this; }

        /**
         * @param invariant whether logits are bit for bit independent of other sessions (default true; false is
         *                  faster for a session generating alone, see {@link EngineConfig#batchInvariant()})
         * @return this
         */
        public Builder batchInvariant(boolean invariant) { this.batchInvariant = invariant; return this; }

        /**
         * @param tokens most tokens drafted per decode step of a session generating alone (default
         *               {@value EngineConfig#DEFAULT_MAX_DRAFT_TOKENS}; 0 pads as without drafting; see
         *               {@link EngineConfig#maxDraftTokens()})
         * @return this
         */
        public Builder maxDraftTokens(int tokens) { this.maxDraftTokens = tokens; return this; }

        /** @return the config */
        /**
         * @param grace how long a paused reply keeps its slot while work waits ({@link EngineConfig#pausedReplyGrace()})
         * @return this
         */
        public Builder pausedReplyGrace(Duration grace) { this.pausedReplyGrace = grace; return this; }

        public EngineConfig build() {
            return new EngineConfig(model, contextPerSession, parallel, threads, batchSize, sampling, maxTokens,
                    systemPrompt, maxQueued, bufferPieces, batchInvariant, maxDraftTokens, pausedReplyGrace);
        }
    }
}
