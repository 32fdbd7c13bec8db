package dev.chatserver.engine;

import java.time.Duration;

/**
 * Figures of one reply, final once the reply completed.
 *
 * @param promptTokens     prompt tokens decoded for this reply (only the new suffix of the conversation,
 *                         plus any history decoded again after eviction or dropped turns)
 * @param generatedTokens  tokens sampled for the answer
 * @param timeToFirstToken from {@code send} to the first sampled token; {@link Duration#ZERO} when none was sampled
 * @param tokensPerSecond  generated tokens per second of generation time (after the first token); 0 when fewer than two
 * @param droppedTurns     oldest conversation turns dropped to make this reply fit the context window
 * @param draftedTokens    guessed tokens decoded beside the answer's own while it generated alone (see
 *                         {@link EngineConfig#maxDraftTokens()}); 0 when drafting is off or never applied
 * @param acceptedDrafts   drafted tokens the model confirmed, each saving a decode step; at most
 *                         {@code draftedTokens}
 * @param cachedTokens     prompt tokens found in the KV cache, not decoded again; {@code promptTokens + cachedTokens}
 *                         is the whole prompt
 */
public record ReplyStats(int promptTokens, int generatedTokens, Duration timeToFirstToken,
                         double tokensPerSecond, int droppedTurns, int draftedTokens, int acceptedDrafts,
                         int cachedTokens) {

    /** Figures of a reply that never ran. */
    public static final ReplyStats NONE = new ReplyStats(0, 0, Duration.ZERO, 0, 0, 0, 0, 0);
}
