package dev.chatserver.engine;

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
    /** Index into {@code prompt.tokens()} of the next prompt token to decode. */
    int promptNext;
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
    /** A hash over the logits of every sampled position, when the engine traces them; 0 otherwise. */
    long logitsDigest;
    long firstTokenNanos;
    long lastTokenNanos;

    /** When the reply got its slot, in engine passes: prompts are decoded oldest first. */
    final long startOrder;

    Turn(ReplyHandle reply, Conversation conversation, Prompt prompt, int budget, int promptNext, long startOrder) {
        this.reply = reply;
        this.startOrder = startOrder;
        this.conversation = conversation;
        this.prompt = prompt;
        this.budget = budget;
        this.promptNext = promptNext;
    }

    boolean prefilling() {
        return promptNext < prompt.tokens().length;
    }

    /** @return the figures so far */
    ReplyStats stats() {
        int generated = answer.size();
        Duration ttft = firstTokenNanos == 0 ? Duration.ZERO : Duration.ofNanos(firstTokenNanos - reply.sentNanos());
        double perSecond = 0;
        if (generated >= 2 && lastTokenNanos > firstTokenNanos) {
            perSecond = (generated - 1) * 1e9 / (lastTokenNanos - firstTokenNanos);
        }
        return new ReplyStats(promptDecoded, generated, ttft, perSecond, prompt.droppedTurns());
    }
}
