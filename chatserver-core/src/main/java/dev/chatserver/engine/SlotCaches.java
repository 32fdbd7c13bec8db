package dev.chatserver.engine;

import dev.chatserver.llama.LlamaContext;
import dev.chatserver.llama.LlamaException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Which session's cache each slot's KV sequence holds, and the cache operations that keep answers independent of
 * the other sessions: eviction (a stalled client's session first, else the least recently used idle one), trimming
 * a sequence to a prefix, and the compaction after removals. Owned by the engine thread, which alone calls it.
 */
final class SlotCaches {

    private static final System.Logger LOG = System.getLogger(SlotCaches.class.getName());

    private final Slot[] slots;
    private final LlamaContext context;
    private final Suspensions suspensions;
    /** Set when cells were removed from the cache; the cache is compacted before the next decode. */
    private boolean holes;

    /**
     * @param slots       the engine's slots (their {@code resident} fields are this owner's to change)
     * @param context     the engine's context
     * @param suspensions which idle sessions' clients stopped reading
     */
    SlotCaches(Slot[] slots, LlamaContext context, Suspensions suspensions) {
        this.slots = slots;
        this.context = context;
        this.suspensions = suspensions;
    }

    /**
     * @return the session's own slot, a free one, or an evicted idle one (a stalled client's first, else the least
     *         recently used); null if all slots are answering
     */
    Slot slotFor(Conversation conversation) {
        if (conversation.slot >= 0) return slots[conversation.slot];
        Slot lru = null;
        boolean lruStalled = false;
        long now = System.nanoTime();
        for (Slot slot : slots) {
            if (slot.resident == null) return slot;
            if (slot.turn != null) continue;
            // A session whose client stopped reading goes first, then the least recently used.
            boolean stalled = suspensions.stalled(slot, now, suspensions.graceNanos());
            if (lru == null || stalled && !lruStalled
                    || stalled == lruStalled && slot.resident.lastUsed < lru.resident.lastUsed) {
                lru = slot;
                lruStalled = stalled;
            }
        }
        if (lru != null) {
            LOG.log(Level.DEBUG, "slot {0}: evicting an idle session''s {1} cached tokens", lru.seq,
                    lru.resident.kv.size());
            evict(lru);
        }
        return lru;
    }

    /** Removes the resident session's tokens from the slot's KV sequence; its history stays. */
    void evict(Slot slot) {
        context.clearSequence(slot.seq);
        holes = true;
        if (slot.resident != null) {
            slot.resident.kv.clear();
            slot.resident.slot = -1;
            slot.resident = null;
        }
    }

    /**
     * Keeps the first {@code keep} cached tokens of the slot's resident conversation and removes the rest.
     *
     * @param keep at most the conversation's cached tokens
     */
    void truncate(Slot slot, Conversation conversation, int keep) {
        if (keep >= conversation.kv.size()) return;
        context.removeTokens(slot.seq, keep, -1);
        conversation.kv.truncate(keep);
        holes = true;
    }

    /**
     * Compacts the cache if cells were removed since the last compaction, by this owner or by the decode step.
     *
     * @param stepRemoved whether the decode step removed cells (its flag, taken every pass: left set, it would start
     *                    a second, needless compaction on the next pass)
     * @param lost        called for a slot with a reply whose cache could not be restored, before it is evicted
     */
    void compactIfNeeded(boolean stepRemoved, Consumer<Slot> lost) {
        holes |= stepRemoved;
        if (holes) compact(lost);
    }

    /**
     * Moves every cached sequence to the front of the cache, each contiguous and in its own order, leaving no free
     * cell below a used one. Without holes llama.cpp places new tokens after all cached ones, so every sequence's
     * cells stay in position order, which keeps its attention results independent of the other sequences (see
     * the package documentation). The states are copied, not decoded again: the cache's content is unchanged.
     */
    private void compact(Consumer<Slot> lost) {
        holes = false;
        LOG.log(Level.DEBUG, "compacting the KV cache ({0} cells in use)", context.usedCells());
        List<Slot> cached = new ArrayList<>();
        for (Slot slot : slots) if (slot.resident != null && slot.resident.kv.size() > 0) cached.add(slot);
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> states = new ArrayList<>();
            for (Slot slot : cached) states.add(context.saveSequence(slot.seq, arena));
            context.clear();
            for (int i = 0; i < cached.size(); i++) {
                Slot slot = cached.get(i);
                try {
                    context.restoreSequence(slot.seq, states.get(i));
                } catch (LlamaException e) {
                    LOG.log(Level.WARNING, "slot {0}: cannot restore its cache ({1}); it is decoded again",
                            slot.seq, e.getMessage());
                    context.clearSequence(slot.seq);
                    if (slot.turn != null) lost.accept(slot);
                    evict(slot);
                    holes = false;
                }
            }
        }
    }
}
