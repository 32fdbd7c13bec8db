package dev.chatserver.testing;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Reply;

/**
 * Holds the only slot of a one-slot engine configured with a one-piece reply buffer and {@link #KEEPS_ITS_SLOT}: a
 * reply whose listener blocks on its first piece, so its session pauses in the slot and later requests wait in the
 * engine's queue until {@link #close()}. Lets tests put requests in the queue without depending on timing.
 */
public final class SlotHolder implements AutoCloseable {

    /**
     * The {@link dev.chatserver.engine.EngineConfig#pausedReplyGrace()} of engines whose slot is held: longer than any
     * test, so the paused holder does not give its slot to the queue.
     */
    public static final java.time.Duration KEEPS_ITS_SLOT = java.time.Duration.ofHours(1);

    private final ChatEngine engine;
    private final ChatSession session;
    private final Transcript listener = Transcript.blocking();
    private final Reply reply;

    /** Takes the slot; returns once the holder's reply occupies it. */
    public SlotHolder(ChatEngine engine) {
        this.engine = engine;
        this.session = engine.openSession();
        this.reply = session.send("Hold the slot for a while please.", listener);
        TestEngines.eventually("the holder's listener blocks", listener::started);
        TestEngines.eventually("the holder occupies the slot", () -> engine.stats().activeReplies() == 1);
    }

    /** Lets the holder's reply finish and closes its session. */
    @Override
    public void close() {
        listener.release();
        TestEngines.await(reply);
        session.close();
    }

    /** @return the engine whose slot is held */
    public ChatEngine engine() {
        return engine;
    }
}
