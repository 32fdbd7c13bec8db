package dev.chatserver.engine;

import dev.chatserver.llama.Batch;
import dev.chatserver.llama.DecodeResult;
import dev.chatserver.llama.LlamaContext;
import dev.chatserver.llama.LlamaException;
import dev.chatserver.llama.Vocab;
import java.lang.System.Logger.Level;
import java.util.Arrays;

/**
 * One decode step of the engine thread: build one batch from every generating slot's pending token and then
 * prompt chunks of slots still decoding their prompt, decode it once, sample each slot that got logits.
 *
 * <p>A generating slot whose reply buffer is full is left out (paused) and keeps its pending token until its
 * listener catches up; cancelled replies end before the batch is built, so a cancel takes effect within one step.
 * If the KV cache has no contiguous room for the batch, the step retries with half the tokens.
 *
 * <p>Where the model's one-row path rounds differently from its many-row path ({@link RowPathCheck}, decided once at
 * start: F32 and F16 weights do, Q8_0 and Q4_K do not), a batch never holds a single token, nor a single token whose
 * logits are wanted: a session alone would get other logits than the same session next to others. Such a batch gets a
 * padding token of an extra sequence id, with logits, whose cell is freed right after the decode. Where the paths
 * agree, one-row batches are decoded as they are.
 *
 * <p>With {@link EngineConfig#maxDraftTokens()} set, a batch whose only row with logits is a generating slot's pending
 * token (at position p) carries instead tokens drafted by {@link PromptLookup}, at positions p+1.., with logits, after
 * every other token of the batch. Row p's logits do not depend on them (causal mask; flash attention skips masked
 * cells), and a drafted row whose token is the one sampled at p computed exactly what the next step would: so after
 * sampling row p, each next draft row is sampled while the previous sample equals its token. The cells of the drafts
 * not confirmed are then removed; being the last of the batch, they are the top-most of the cache, so this leaves no
 * hole below any sequence (and needs no compaction), like the padding cell.
 */
final class DecodeStep {

    private static final System.Logger LOG = System.getLogger(DecodeStep.class.getName());

    /** Ends a slot's reply: {@link EngineLoop#finish}. */
    interface Finisher {
        void finish(Slot slot, FinishReason reason, String message);
    }

    private final LlamaContext context;
    private final Vocab vocab;
    private final Batch batch;
    private final Slot[] slots;
    private final int batchSize;
    /** The sequence id of padding tokens, one above the slots' ids. */
    private final int paddingSeq;
    private final int paddingToken;
    /** Whether one-row batches and one-row outputs are padded (see the constructor). */
    private final boolean pad;
    /** Most tokens drafted in one-row steps ({@link EngineConfig#maxDraftTokens()}); 0 when not invariant. */
    private final int maxDrafts;
    private final Finisher finisher;
    /** Whether to digest every sampled position's logits into its turn (tests of bit-identical answers). */
    private final boolean traceLogits;
    /** Set when a failed batch made this step remove cells from the cache. */
    private boolean cellsRemoved;

    /**
     * @param invariant whether answers must not depend on other sessions ({@link EngineConfig#batchInvariant()}):
     *                  drafting relies on it
     * @param pad       whether one-row steps get a padding row (invariance on, and the model's one-row path rounds
     *                  differently: {@link RowPathCheck})
     */
    DecodeStep(LlamaContext context, Vocab vocab, Batch batch, Slot[] slots, int batchSize, int paddingSeq,
               boolean invariant, boolean pad, int maxDrafts, boolean traceLogits, Finisher finisher) {
        this.pad = pad;
        this.maxDrafts = invariant ? maxDrafts : 0;
        this.traceLogits = traceLogits;
        this.context = context;
        this.vocab = vocab;
        this.batch = batch;
        this.slots = slots;
        this.batchSize = batchSize;
        this.paddingSeq = paddingSeq;
        this.paddingToken = Math.max(0, vocab.bos());
        this.finisher = finisher;
    }

    /** @return the most tokens drafted per step; the size of each turn's draft buffer */
    int maxDrafts() {
        return maxDrafts;
    }

    /** @return whether cells were removed since the last call (the engine then compacts the cache) */
    boolean takeCellsRemoved() {
        boolean removed = cellsRemoved;
        cellsRemoved = false;
        return removed;
    }

    /**
     * @param clock the engine's pass counter, for least-recently-used bookkeeping
     * @return true if a batch was decoded (there may be more work), false if there was nothing to do
     */
    boolean run(long clock) {
        for (Slot slot : slots) {
            if (slot.turn != null && slot.turn.reply.cancelRequested()) {
                finisher.finish(slot, FinishReason.CANCELLED, "");
            }
        }
        int limit = batchSize;
        boolean mayDraft = maxDrafts > 0;
        while (true) {
            if (!fill(limit)) return false;
            boolean padded = false;
            boolean drafted = false;
            if (batch.size() == 1 || outputs() == 1) {
                drafted = mayDraft && addDrafts();
                padded = pad && !drafted;
                if (padded) batch.add(paddingToken, 0, paddingSeq, true);
            }
            DecodeResult result;
            try {
                result = context.decode(batch);
            } catch (LlamaException e) {
                failBatch("decoding failed: " + e.getMessage());
                return true;
            } finally {
                if (padded) context.clearSequence(paddingSeq);
            }
            if (result == DecodeResult.OK) break;
            if (result == DecodeResult.ABORTED) {
                failBatch("decoding was aborted");
                return true;
            }
            if (drafted) {
                mayDraft = false; // no room for the drafts: the same tokens again, padded
                continue;
            }
            if (batch.size() == 2 && padded || batch.size() == 1) {
                failBatch("the KV cache has no room left");
                return true;
            }
            limit = batch.size() / 2;
            LOG.log(Level.DEBUG, "no KV room for {0} tokens, retrying with {1}", batch.size(), limit);
        }
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null || turn.inBatch == 0) continue;
            turn.conversation.lastUsed = clock;
            if (turn.pendingToken >= 0) {
                turn.conversation.kv.add(turn.pendingToken);
                turn.pendingToken = -1;
            } else {
                int[] prompt = turn.toDecode;
                for (int i = 0; i < turn.inBatch; i++) turn.conversation.kv.add(prompt[turn.promptNext + i]);
                turn.decoded(turn.inBatch);
            }
            turn.inBatch = 0;
            if (turn.logitsIndex >= 0) {
                int index = turn.logitsIndex;
                turn.logitsIndex = -1;
                sample(slot, turn, index);
            } else {
                turn.reply.updateStats(turn.stats());
            }
        }
        return true;
    }

    /** Fills the batch: generating slots' pending tokens first, then prompt chunks. @return false if empty */
    private boolean fill(int limit) {
        batch.clear();
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null) continue;
            turn.inBatch = 0;
            turn.logitsIndex = -1;
            turn.draftCount = 0;
        }
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null || turn.pendingToken < 0 || batch.size() >= limit) continue;
            if (!turn.reply.channel().hasRoom()) continue; // paused until its listener catches up
            turn.logitsIndex = batch.add(turn.pendingToken, turn.conversation.kv.size(), slot.seq, true);
            turn.inBatch = 1;
        }
        // Prompt chunks in the order the replies started: an earlier prompt is never starved by a later one.
        for (Slot slot = oldestPrefilling(); slot != null && batch.size() < limit; slot = oldestPrefilling()) {
            Turn turn = slot.turn;
            int[] prompt = turn.toDecode;
            int count = Math.min(limit - batch.size(), prompt.length - turn.promptNext);
            int position = turn.conversation.kv.size();
            for (int i = 0; i < count; i++) {
                int at = turn.promptNext + i;
                // A resumed turn has its next token sampled already: its decoded-again tokens need no logits.
                boolean last = at == prompt.length - 1 && turn.resumeToken < 0;
                int index = batch.add(prompt[at], position + i, slot.seq, last);
                if (last) turn.logitsIndex = index;
            }
            turn.inBatch = count;
        }
        return batch.size() > 0;
    }

    /**
     * @return the slot of the oldest reply still decoding its prompt that has no tokens in the batch yet, or null
     *         (a scan of the few slots: no list to build and sort each step)
     */
    private Slot oldestPrefilling() {
        Slot oldest = null;
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null || !turn.prefilling() || turn.pendingToken >= 0 || turn.inBatch > 0) continue;
            if (oldest == null || turn.startOrder < oldest.turn.startOrder) oldest = slot;
        }
        return oldest;
    }

    /** @return how many tokens of the batch want logits */
    private int outputs() {
        int outputs = 0;
        for (Slot slot : slots) if (slot.turn != null && slot.turn.logitsIndex >= 0) outputs++;
        return outputs;
    }

    /**
     * Puts drafted tokens after the batch's only row with logits when that row is a generating slot's pending
     * token: they take the padding row's place (see the class documentation). They come last in the batch, so
     * their cells are the top-most of the cache and freeing the rejected ones leaves no hole below any sequence.
     *
     * @return whether drafts were added; false when the row is a prompt's or there is no room for a draft
     */
    private boolean addDrafts() {
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null || turn.pendingToken < 0 || turn.logitsIndex < 0) continue;
            // Each confirmed draft yields one more token this step, and so possibly one more piece of text: stay
            // within the answer's budget (which also keeps the drafts inside the window) and the reply's buffer.
            int max = Math.min(Math.min(turn.draftLength, batch.capacity() - batch.size()),
                    Math.min(turn.budget - turn.answer.size(), turn.reply.channel().room()) - 1);
            int count = PromptLookup.draft(turn.prompt.tokens(), turn.answer, turn.drafts, max);
            if (count == 0) return false;
            int position = turn.conversation.kv.size() + 1;
            turn.firstDraftIndex = batch.add(turn.drafts[0], position, slot.seq, true);
            for (int i = 1; i < count; i++) batch.add(turn.drafts[i], position + i, slot.seq, true);
            turn.draftCount = count;
            return true;
        }
        return false;
    }

    /**
     * Samples a slot's row, then, while the sampled token is the next drafted one, that draft's row: the draft was
     * decoded after exactly the tokens the answer now has, so its row is what the next step would compute, and
     * sampling it consumes the sampler's state as that step would. Stops at the first other token, the end of the
     * answer or the last draft, and frees the cells of the drafts not confirmed.
     */
    private void sample(Slot slot, Turn turn, int index) {
        int drafted = turn.draftCount;
        turn.draftCount = 0;
        turn.draftedTokens += drafted;
        TokenList kv = turn.conversation.kv;
        int confirmed = 0;
        while (true) {
            if (traceLogits) turn.logitsDigest = 31 * turn.logitsDigest + Arrays.hashCode(context.logits(index));
            int token = turn.sampler.sample(context, index);
            if (confirmed < drafted && token == turn.drafts[confirmed]) {
                if (!accept(slot, token)) break; // confirmed, but the answer ends here: its row goes unused
                turn.acceptedDrafts++;
                kv.add(token);
                turn.pendingToken = -1;
                index = turn.firstDraftIndex + confirmed++;
            } else {
                accept(slot, token);
                break;
            }
        }
        if (confirmed < drafted) {
            // The drafts' cells are the top-most of the cache (they end the batch): no hole is left below a sequence.
            context.removeTokens(slot.seq, kv.size(), -1);
        }
        // A drafted row costs more than the padding row it replaces (it attends to the whole conversation): draft
        // more only while the guesses come true, and one, in the padding's place, after a miss.
        if (drafted > 0) turn.draftLength = confirmed == drafted ? Math.min(maxDrafts, 2 * drafted) : confirmed + 1;
    }

    /**
     * Handles a sampled token: end of generation, or one more answer token (and its text, if complete).
     *
     * @return true if the answer goes on with this token pending, false if it ended
     */
    private boolean accept(Slot slot, int token) {
        Turn turn = slot.turn;
        long now = System.nanoTime();
        turn.tokenSampled(now);
        if (vocab.isEndOfGeneration(token)) {
            finisher.finish(slot, FinishReason.END, "");
            return false;
        }
        turn.lastTokenNanos = now;
        turn.answer.add(token);
        String text = turn.utf8.append(vocab.piece(token));
        if (!text.isEmpty()) {
            turn.answerText.append(text);
            turn.reply.channel().offer(text);
        }
        turn.reply.updateStats(turn.stats());
        if (turn.answer.size() >= turn.budget) {
            finisher.finish(slot, FinishReason.MAX_TOKENS, "");
            return false;
        }
        turn.pendingToken = token;
        return true;
    }

    /**
     * Ends every reply that had tokens in a batch that failed. What the failed decode left in their KV sequences is
     * unknown, so those sequences are cleared; their sessions decode their history again next time.
     */
    private void failBatch(String message) {
        LOG.log(Level.WARNING, message);
        for (Slot slot : slots) {
            Turn turn = slot.turn;
            if (turn == null || turn.inBatch == 0) continue;
            turn.inBatch = 0;
            context.clearSequence(slot.seq);
            cellsRemoved = true;
            turn.conversation.kv.clear();
            finisher.finish(slot, FinishReason.ERROR, message);
        }
    }
}
