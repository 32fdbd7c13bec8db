package dev.chatserver.engine;

import dev.chatserver.llama.Sampler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Replies that gave up their slot because their listener stopped taking text, and the samplers they took along.
 * Owned by the engine thread.
 *
 * <p>A generating reply whose buffer stays full for {@link #GRACE_NANOS} while other work waits for a slot is
 * suspended: it leaves its slot (the session's KV cache is then evicted as any idle session's) and keeps its
 * sampler, its answer so far and its pending token. When its listener has taken text again it resumes in a slot:
 * the tokens its KV sequence held are decoded again, the eviction mechanism's rule (decoding the same tokens again
 * restores the same state), and generation goes on from the pending token with the same sampler, so the answer is
 * the same bit for bit as without the interruption.
 */
final class Suspensions {

    /** How long a reply's buffer must stay full before its slot goes to waiting work: 0.5 s. */
    static final long GRACE_NANOS = 500_000_000L;

    private final List<Turn> turns = new ArrayList<>();
    /** Samplers not in use, for slots whose reply left with theirs; each is reset when a reply starts. */
    private final Deque<Sampler> spares = new ArrayDeque<>();
    private final Supplier<Sampler> newSampler;

    Suspensions(Supplier<Sampler> newSampler) {
        this.newSampler = newSampler;
    }

    /** @return the suspended turns (for ending them); do not change the list */
    List<Turn> turns() {
        return turns;
    }

    /**
     * Notes since when each generating reply's buffer has been full.
     *
     * @return nanoseconds until the first paused reply's grace ends (0 if it has), or -1 when none is paused
     */
    long notePauses(Slot[] slots, long now) {
        long first = -1;
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null) continue;
            if (turn.pendingToken < 0 || turn.reply.channel().hasRoom()) {
                turn.pausedSinceNanos = 0;
                continue;
            }
            if (turn.pausedSinceNanos == 0) turn.pausedSinceNanos = now;
            long left = Math.max(0, turn.pausedSinceNanos + GRACE_NANOS - now);
            if (first < 0 || left < first) first = left;
        }
        return first;
    }

    /** @return the slot whose reply has been paused longest, beyond the grace; null if none */
    Slot preemptable(Slot[] slots, long now) {
        Slot longest = null;
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null || turn.pausedSinceNanos == 0 || now - turn.pausedSinceNanos < GRACE_NANOS) continue;
            if (turn.reply.channel().hasRoom()) continue;
            if (longest == null || turn.pausedSinceNanos < longest.turn.pausedSinceNanos) longest = slot;
        }
        return longest;
    }

    /**
     * Takes the slot's paused reply out of it, with its sampler; the caller then evicts the slot's session. The
     * reply's KV tokens become the tokens to decode again, its pending token the one to go on from.
     */
    void suspend(Slot slot) {
        Turn turn = slot.turn;
        slot.turn = null;
        turn.sampler = slot.sampler;
        Sampler spare = spares.pollFirst();
        slot.sampler = spare != null ? spare : newSampler.get();
        turn.toDecode = turn.conversation.kv.toArray();
        turn.promptNext = 0;
        turn.resumeToken = turn.pendingToken;
        turn.pendingToken = -1;
        turn.pausedSinceNanos = 0;
        turns.add(turn);
    }

    /** @return the longest-suspended reply whose listener has room again, or null */
    Turn resumable() {
        for (Turn turn : turns) if (turn.reply.channel().hasRoom()) return turn;
        return null;
    }

    /**
     * Puts a suspended reply into a slot whose session's cache is the reply's or evicted; the caller then trims the
     * cache to what it shares with the tokens to decode again ({@code keep}).
     *
     * @param keep tokens of the reply's session already in the slot's KV sequence, at most all to decode again
     */
    void resume(Slot slot, Turn turn, int keep) {
        turns.remove(turn);
        spares.addFirst(slot.sampler);
        slot.sampler = turn.sampler;
        turn.sampler = null;
        turn.promptNext = 0;
        turn.decoded(keep);
        slot.turn = turn;
    }

    /**
     * Forgets a suspended reply that ends; its sampler becomes a spare.
     *
     * @return whether it was suspended
     */
    boolean remove(Turn turn) {
        if (!turns.remove(turn)) return false;
        spares.addFirst(turn.sampler);
        turn.sampler = null;
        return true;
    }

    /** Frees the spare samplers and those of suspended replies (at shutdown, after they ended). */
    void close() {
        for (Turn turn : turns) if (turn.sampler != null) turn.sampler.close();
        turns.clear();
        for (Sampler sampler : spares) sampler.close();
        spares.clear();
    }
}
