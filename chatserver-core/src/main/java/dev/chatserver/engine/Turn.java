package dev.chatserver.engine;

import dev.chatserver.llama.Sampler;
import java.time.Duration;

/**
 * A reply that holds a slot: its prompt still to decode, then its answer as it is sampled. Owned by the engine
 * thread.
 */
final class Turn {

    final ReplyHandle reply;
    final Conversation conversation;
    final Prompt prompt;
    /** Tokens the answer may have: the per-answer limit, or less when the window ends first. */
    final int budget;
    /** Chooses this reply's tokens: the slot's sampler, or the request's own ({@link #ownsSampler}). */
    final Sampler sampler;
    /** Whether {@link #sampler} was made for this reply alone and is closed when it ends. */
    final boolean ownsSampler;
    /** Prompt tokens that were already in the KV cache when the reply started. */
    final int cachedTokens;
    /**
     * The tokens to have in the KV sequence before generating: the prompt's, or after the turn gave up its slot
     * ({@link EngineLoop}), the prompt and the answer so far, to decode again when it resumes.
     */
    int[] toDecode;
    /** Index into {@link #toDecode} of the next token to decode. */
    int promptNext;
    /**
     * While a suspended turn's tokens are decoded again: its last sampled token, which becomes {@link #pendingToken}
     * once they are in the cache; -1 otherwise (the prompt's last token is then decoded for its logits).
     */
    int resumeToken = -1;
    /**
     * While the turn is suspended: the sampler its slot had (the turn's own {@link #sampler} when that is the
     * slot's, whose state the answer goes on from), given back to the slot it resumes in; null otherwise.
     */
    Sampler suspendedSampler;
    /** {@link System#nanoTime()} since which the reply's buffer has been full, or 0 while it has room. */
    long pausedSinceNanos;
    /** {@link System#nanoTime()} when the turn was last suspended. */
    long suspendedAtNanos;
    /** Prompt tokens decoded for this reply (the statistic). */
    int promptDecoded;
    /** Answer tokens sampled, excluding the end-of-generation token. */
    final TokenList answer = new TokenList();
    /** The answer as delivered so far (whole characters). */
    final StringBuilder answerText = new StringBuilder();
    final Utf8Assembler utf8 = new Utf8Assembler();
    /** The last sampled token, not yet decoded; -1 while the prompt is being decoded. */
    int pendingToken = -1;
    /** Index in the current batch whose logits this turn samples, or -1 if it has none this step. */
    int logitsIndex = -1;
    /** Tokens this turn put into the current batch (applied to the KV list once the decode succeeded). */
    int inBatch;
    /** Drafted tokens in the current batch after the pending token, at positions after it; 0 if none. */
    int draftCount;
    /** Batch index of the first drafted token (the others follow it), valid while {@link #draftCount} > 0. */
    int firstDraftIndex;
    /** How many tokens to draft next: grows while drafts are confirmed, back to one after a miss. */
    int draftLength = 1;
    /** The drafted tokens of the current batch; sized for the most the engine drafts per step. */
    final int[] drafts;
    /** Drafted tokens decoded for this reply (the statistic). */
    int draftedTokens;
    /** Drafted tokens confirmed by sampling (the statistic). */
    int acceptedDrafts;
    /** A hash over the logits of every sampled position, when the engine traces them; 0 otherwise. */
    long logitsDigest;
    /** From {@code send} to the first sampled token; null until then (computed once, not per token). */
    Duration timeToFirstToken;
    /** {@link System#nanoTime()} of the first sampled token, valid once {@link #timeToFirstToken} is set. */
    long firstTokenNanos;
    /** {@link System#nanoTime()} of the last sampled answer token. */
    long lastTokenNanos;

    /** When the reply got its slot, in engine passes: prompts are decoded oldest first. */
    final long startOrder;

    Turn(ReplyHandle reply, Conversation conversation, Prompt prompt, int budget, int promptNext, long startOrder,
         int maxDrafts, Sampler sampler, boolean ownsSampler) {
        this.reply = reply;
        this.sampler = sampler;
        this.ownsSampler = ownsSampler;
        this.cachedTokens = promptNext;
        this.drafts = new int[maxDrafts];
        this.startOrder = startOrder;
        this.conversation = conversation;
        this.prompt = prompt;
        this.budget = budget;
        this.promptNext = promptNext;
        this.toDecode = prompt.tokens();
    }

    boolean prefilling() {
        return promptNext < toDecode.length;
    }

    /**
     * Decoding of {@link #toDecode} advanced by some tokens; at its end a resumed turn's sampled token is pending.
     *
     * @param count tokens just decoded
     */
    void decoded(int count) {
        promptNext += count;
        if (resumeToken < 0) {
            promptDecoded += count;
        } else if (!prefilling()) {
            pendingToken = resumeToken;
            resumeToken = -1;
        }
    }

    /** Notes the time of a sampled token, the end-of-generation token included. */
    void tokenSampled(long now) {
        if (timeToFirstToken == null) {
            firstTokenNanos = now;
            timeToFirstToken = Duration.ofNanos(now - reply.sentNanos());
        }
    }

    /** @return the figures so far */
    ReplyStats stats() {
        int generated = answer.size();
        Duration ttft = timeToFirstToken == null ? Duration.ZERO : timeToFirstToken;
        double perSecond = 0;
        if (generated >= 2 && lastTokenNanos > firstTokenNanos) {
            perSecond = (generated - 1) * 1e9 / (lastTokenNanos - firstTokenNanos);
        }
        return new ReplyStats(promptDecoded, generated, ttft, perSecond, prompt.droppedTurns(), draftedTokens,
                acceptedDrafts, cachedTokens);
    }
}
