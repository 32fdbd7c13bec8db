package dev.chatserver.engine;

/**
 * A snapshot of the engine's load.
 *
 * @param openSessions   sessions opened and not yet closed
 * @param activeReplies  replies holding a slot (decoding their prompt or generating)
 * @param queuedReplies  replies waiting for a slot
 * @param kvCellsInUse   KV cache cells in use across all slots
 */
public record EngineStats(int openSessions, int activeReplies, int queuedReplies, int kvCellsInUse) {
}
