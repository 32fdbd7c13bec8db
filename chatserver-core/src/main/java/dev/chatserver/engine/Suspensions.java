package dev.chatserver.engine;

import dev.chatserver.llama.Sampler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Replies that gave up their slot because their listener stopped taking text, and the samplers they took along.
 * Owned by the engine thread.
 *
 * <p>A generating reply whose buffer stays full for {@link EngineConfig#pausedReplyGrace()} is suspended: it leaves
 * its slot and keeps its sampler, its answer so far and its pending token. Its session's KV cache stays in the slot
 * until another session needs the slot (then it is evicted as any idle session's). When its listener has taken text
 * again the reply resumes in a slot: what of its tokens is no longer cached is decoded again, the eviction
 * mechanism's rule (decoding the same tokens again restores the same state), and generation goes on from the
 * pending token with the same sampler, so the answer is the same bit for bit as without the interruption.
 *
 * <p>A reply suspended for {@link #STALE_GRACES} graces has its cache evicted even when no other session needs the
 * slot: llama.cpp's attention runs over every cached cell of the context, so caches of clients that stopped reading
 * would slow everyone else's decoding. The same holds for an idle session whose last reply the engine finished but
 * whose listener has not taken it whole for that long ({@link #stalled}): most clients that stop reading end there,
 * the engine done with their answer and its last pieces waiting for the socket. Such sessions are also the first an
 * eviction picks (after one grace), before the least recently used idle ones. Measured with the story model, two
 * such caches of about 450 tokens each beside two short answers made those answers' steps 1.5 times as long.
 */
final class Suspensions {

    /** How long a reply's buffer must stay full before its slot goes to waiting work. */
    private final long graceNanos;

    /** Graces after which a suspended reply's cache is evicted. */
    static final int STALE_GRACES = 10;

    private final List<Turn> turns = new ArrayList<>();
    /** Samplers not in use, for slots whose reply left with theirs; each is reset when a reply starts. */
    private final Deque<Sampler> spares = new ArrayDeque<>();
    private final Supplier<Sampler> newSampler;

    /** @param grace {@link EngineConfig#pausedReplyGrace()} */
    Suspensions(Duration grace, Supplier<Sampler> newSampler) {
        this.graceNanos = grace.toNanos();
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
            long left = Math.max(0, turn.pausedSinceNanos + graceNanos - now);
            if (first < 0 || left < first) first = left;
        }
        return first;
    }

    /** @return the slot whose reply has been paused longest, beyond the grace (as last noted); null if none */
    Slot preemptable(Slot[] slots, long now) {
        Slot longest = null;
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null || turn.pausedSinceNanos == 0 || now - turn.pausedSinceNanos < graceNanos) continue;
            if (turn.reply.channel().hasRoom()) continue;
            if (longest == null || turn.pausedSinceNanos < longest.turn.pausedSinceNanos) longest = slot;
        }
        return longest;
    }

    /**
     * Takes the slot's paused reply out of it, with its sampler; the slot keeps the session's cache. The reply's KV
     * tokens become the tokens to have again when it resumes, its pending token the one to go on from.
     */
    void suspend(Slot slot) {
        Turn turn = slot.turn;
        slot.turn = null;
        turn.suspendedSampler = slot.sampler;
        Sampler spare = spares.pollFirst();
        slot.sampler = spare != null ? spare : newSampler.get();
        turn.toDecode = turn.conversation.kv.toArray();
        turn.promptNext = 0;
        turn.resumeToken = turn.pendingToken;
        turn.pendingToken = -1;
        turn.pausedSinceNanos = 0;
        turn.suspendedAtNanos = System.nanoTime();
        turns.add(turn);
    }

    /**
     * @param now {@link System#nanoTime()}
     * @return a suspended reply whose session's cache is still in a slot though it has been suspended for
     *         {@link #STALE_GRACES} graces, or null
     */
    Turn staleResident(long now) {
        for (Turn turn : turns) {
            if (turn.conversation.slot >= 0 && now - turn.suspendedAtNanos >= STALE_GRACES * graceNanos) return turn;
        }
        return null;
    }

    /**
     * @param slots the engine's slots
     * @param now   {@link System#nanoTime()}
     * @return nanoseconds until a suspended reply's or a stalled idle session's cache becomes stale, or -1 when no
     *         such cache is resident
     */
    long nanosUntilStale(Slot[] slots, long now) {
        long first = -1;
        for (Turn turn : turns) {
            if (turn.conversation.slot < 0) continue;
            long left = Math.max(0, turn.suspendedAtNanos + STALE_GRACES * graceNanos - now);
            if (first < 0 || left < first) first = left;
        }
        for (Slot slot : slots) {
            if (!stalled(slot, now, 0)) continue;
            long left = Math.max(0, slot.resident.lastEndedNanos + STALE_GRACES * graceNanos - now);
            if (first < 0 || left < first) first = left;
        }
        return first;
    }

    /**
     * @param now {@link System#nanoTime()}
     * @return a slot whose idle session's client has not taken its last reply for {@link #STALE_GRACES} graces, or
     *         null
     */
    Slot staleIdle(Slot[] slots, long now) {
        for (Slot slot : slots) if (stalled(slot, now, STALE_GRACES * graceNanos)) return slot;
        return null;
    }

    /**
     * @param slot     a slot
     * @param now      {@link System#nanoTime()}
     * @param forNanos how long the last reply must have been waiting for its listener
     * @return whether the slot's resident session is idle and the listener of its last reply, which ended at least
     *         that long ago, has not taken it whole: its client has (for now) stopped reading
     */
    boolean stalled(Slot slot, long now, long forNanos) {
        Conversation resident = slot.resident;
        if (resident == null || slot.turn != null || resident.lastReply == null) return false;
        return now - resident.lastEndedNanos >= forNanos && !resident.lastReply.channel().delivered();
    }

    /** @return one grace in nanoseconds: how long an idle session's reply must wait to make it evicted first */
    long graceNanos() {
        return graceNanos;
    }

    /**
     * @return the longest-suspended reply whose listener has taken half its buffer again, or null; not at the first
     *         free place, so a client that reads a trickle does not make its reply take a slot (and maybe decode its
     *         cache again) for every piece
     */
    Turn resumable() {
        for (Turn turn : turns) if (turn.reply.channel().halfEmpty()) return turn;
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
        slot.sampler = turn.suspendedSampler;
        turn.suspendedSampler = null;
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
        spares.addFirst(turn.suspendedSampler);
        turn.suspendedSampler = null;
        return true;
    }

    /** Frees the spare samplers and those of suspended replies (at shutdown, after they ended). */
    void close() {
        for (Turn turn : turns) if (turn.suspendedSampler != null) turn.suspendedSampler.close();
        turns.clear();
        for (Sampler sampler : spares) sampler.close();
        spares.clear();
    }
}
