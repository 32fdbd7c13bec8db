package dev.chatserver.metrics;

/**
 * The engine's load figures, read when metrics are scraped (on the scraping thread). Implementations read a
 * snapshot the engine thread publishes anyway, so sampling costs the engine thread nothing.
 */
public interface EngineLoad {

    /** @return replies waiting for a slot */
    int queuedReplies();

    /** @return replies holding a slot (decoding their prompt or generating) */
    int activeReplies();

    /** @return KV cache cells in use across all slots */
    int kvCellsInUse();

    /** @return sessions (conversations) open */
    int openSessions();
}
