package dev.chatserver.engine;

import dev.chatserver.llama.Sampler;

/**
 * One KV sequence id of the context and what occupies it. Owned by the engine thread.
 *
 * <p>A slot can hold a session's KV cache while the session is idle ({@link #resident} set, {@link #turn} null);
 * such a slot is taken from its session (evicted) when another session needs one and none is free.
 */
final class Slot {

    /** The KV sequence id, in {@code [0, parallel)}. */
    final int seq;
    /**
     * The sampler of the reply in this slot: reset at the start of each reply; a suspended reply takes it along and
     * brings it back when it resumes ({@link EngineLoop}), so sampling goes on from the same state.
     */
    Sampler sampler;
    /** The session whose tokens are in this sequence, or null. */
    Conversation resident;
    /** The reply being decoded in this slot, or null. */
    Turn turn;

    Slot(int seq, Sampler sampler) {
        this.seq = seq;
        this.sampler = sampler;
    }
}
