package dev.chatserver.engine;

/**
 * Finds the cache a stateless request continues: prompt caching by longest common prefix. Runs on the engine thread.
 *
 * <p>Each slot whose resident is a stateless cache ({@link Conversation#stateless}) and that is not answering is a
 * candidate; the one whose cached tokens share the longest prefix with the request's prompt wins, if that prefix is
 * at least half of what it caches (a request continuing a conversation shares all of it; one that merely starts with
 * the same system prompt shares little, and takes a free slot instead of cutting another conversation's cache
 * short). Without a winner the request gets a fresh cache in a free slot, or in the least recently used idle one,
 * as a session would.
 */
final class PrefixCache {

    private PrefixCache() {
    }

    /**
     * @param slots  the engine's slots
     * @param tokens the request's prompt
     * @return the idle slot whose stateless cache the request continues, or null
     */
    static Slot reusable(Slot[] slots, int[] tokens) {
        Slot best = null;
        int bestLength = 0;
        for (Slot slot : slots) {
            Conversation resident = slot.resident;
            if (slot.turn != null || resident == null || !resident.stateless) continue;
            int common = resident.kv.commonPrefix(tokens);
            if (common > bestLength && 2L * common >= resident.kv.size()) {
                best = slot;
                bestLength = common;
            }
        }
        return best;
    }
}
