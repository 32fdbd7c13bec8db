package dev.chatserver.engine;

/**
 * A snapshot of the engine's load.
 *
 * @param openSessions   sessions opened and not yet closed
 * @param activeReplies  replies holding a slot (decoding their prompt or generating); a reply whose listener stopped
 *                       taking text leaves its slot after the grace and is not counted
 * @param queuedReplies  replies waiting for a slot
 * @param kvCellsInUse   KV cache cells in use across all slots
 */
public record EngineStats(int openSessions, int activeReplies, int queuedReplies, int kvCellsInUse) {
}
