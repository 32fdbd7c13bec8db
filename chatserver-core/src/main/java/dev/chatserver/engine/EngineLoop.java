package dev.chatserver.engine;

import dev.chatserver.llama.Batch;
import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.LlamaContext;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.Sampler;
import dev.chatserver.metrics.ChatMetrics;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine thread's work: commands, the deferred queue, slot assignment and the decode loop. Runs on the one
 * platform thread {@code chatserver-engine}, which owns the context and makes every native call on it (model
 * loading and the context's creation happen before, on the thread that creates the engine). Its first work is the
 * one-row path check ({@link RowPathCheck}), so that the engine's creator (a server starting to listen) does not wait
 * for those decodes; commands sent meanwhile wait in the queue.
 *
 * <p>Each pass: take all commands; suspend replies whose listener has taken nothing for the grace period
 * ({@link Suspensions}: they leave their slot, their cache stays until another session needs it); give free slots to
 * suspended replies whose listener takes text again, then to queued replies in FIFO order (evicting an idle
 * session's KV cache when no slot is free, {@link SlotCaches}; a stateless request continues the cache
 * {@link PrefixCache} finds); compact the cache after removals; then run one {@link DecodeStep}. With nothing to decode the thread parks until a
 * command arrives, a paused reply's listener frees room in its buffer, or a paused reply's grace ends.
 */
final class EngineLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger(EngineLoop.class.getName());

    private final EngineConfig config;
    private final LlamaModel model;
    private final LlamaChatEngine engine;
    private final LlamaContext context;
    private final Batch batch;
    private final Slot[] slots;
    private final Deque<ReplyHandle> deferred = new ArrayDeque<>();
    private final PromptBuilder prompts;
    private final boolean traceLogits;
    /** Built by the engine thread before its first pass, once {@link #padding} is decided. */
    private DecodeStep step;
    /**
     * Whether one-row steps get a padding row: decided by the engine thread before it takes the first command
     * ({@link #needsPadding}), so that the check's decodes do not delay the start of the servers.
     */
    private final CompletableFuture<Boolean> padding = new CompletableFuture<>();
    private final Suspensions suspensions;
    private final SlotCaches caches;
    /** Takes one timing per decode step: a few lock-free adds (see the metrics package). */
    private final ChatMetrics metrics;
    private volatile EngineStats stats = new EngineStats(0, 0, 0, 0);
    /** Counts passes; the clock of least-recently-used eviction. */
    private long clock;
    /** Counts replies that got a slot. */
    private long started;
    private boolean running = true;

    EngineLoop(EngineConfig config, LlamaModel model, LlamaChatEngine engine, boolean traceLogits) {
        this.config = config;
        this.model = model;
        this.engine = engine;
        this.metrics = engine.metrics();
        this.context = model.newContext(EngineSetup.contextParams(config));
        try {
            this.batch = Batch.create(EngineSetup.rowsPerDecode(config) + 1, 1);
            this.slots = new Slot[config.parallel()];
            for (int i = 0; i < slots.length; i++) slots[i] = new Slot(i, Samplers.of(config.sampling()));
        } catch (RuntimeException | Error e) {
            context.close();
            throw e;
        }
        this.suspensions = new Suspensions(config.pausedReplyGrace(), () -> Samplers.of(config.sampling()));
        this.caches = new SlotCaches(slots, context, suspensions);
        this.prompts = new PromptBuilder(model, config.contextPerSession(), config.maxTokens());
        this.traceLogits = traceLogits;
    }

    /** Engine thread, before the first pass: decides the padding and builds the decode step. */
    private void prepare() {
        boolean pad = config.batchInvariant() && needsPadding(config, model);
        step = new DecodeStep(context, model.vocab(), batch, slots, EngineSetup.rowsPerDecode(config), config.parallel(),
                config.batchInvariant(), pad, config.maxDraftTokens(), traceLogits, this::finish);
        padding.complete(pad);
    }

    /**
     * Whether one-row steps must be padded to keep answers independent of other sessions: unless the model's
     * one-row path computes exactly what a row among others gets ({@link RowPathCheck}). A check that fails to run
     * (a model too small for it) counts as "pad".
     */
    private boolean needsPadding(EngineConfig config, LlamaModel model) {
        long start = System.nanoTime();
        boolean agree;
        try {
            agree = model.vocab().size() > RowPathCheck.TOKENS && batch.capacity() > RowPathCheck.TOKENS
                    && context.contextTokens() > RowPathCheck.TOKENS + 2
                    && RowPathCheck.oneRowMatchesMany(context, batch, 0, config.parallel(), 1);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "one-row path check failed; padding one-row steps: {0}", e.getMessage());
            agree = false;
        }
        LOG.log(Level.INFO, "one-row decode steps {0} batched ones on this model ({1} ms to check): {2}",
                agree ? "match" : "differ from", (System.nanoTime() - start) / 1_000_000,
                agree ? "no padding row" : "a padding row in one-row steps");
        return !agree;
    }

    /**
     * @return whether one-row steps are padded (batch invariance on and the model's one-row path differs); waits
     *         until the engine thread has decided (false if it ended before)
     */
    boolean padding() {
        return padding.join();
    }

    EngineStats stats() {
        return stats;
    }

    @Override
    public void run() {
        try {
            prepare();
            while (running) {
                runCommands();
                if (!running) break;
                suspendPaused();
                assignSlots();
                caches.compactIfNeeded(step.takeCellsRemoved(),
                        slot -> finish(slot, FinishReason.ERROR, "the cache could not be rearranged"));
                clock++;
                long stepStart = System.nanoTime();
                boolean decoded = step.run(clock);
                if (decoded) metrics.decodeStep(System.nanoTime() - stepStart);
                publishStats();
                if (!decoded && !engine.hasCommands()) {
                    // A paused reply leaves its slot when its grace ends, a suspended one's cache later: wake for that.
                    // Noted now, after the step that may just have filled a reply's buffer.
                    long graceLeft = suspendPaused();
                    if (graceLeft >= 0) LockSupport.parkNanos(this, Math.max(graceLeft, 1_000_000));
                    else LockSupport.park(this);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "engine thread failed; ending every reply", e);
            padding.complete(false);
            shutDown(FinishReason.ERROR, "the engine failed: " + e.getMessage());
            return;
        }
        shutDown(FinishReason.CANCELLED, "the engine was closed");
    }

    private void runCommands() {
        EngineCommand command;
        while ((command = engine.nextCommand()) != null) {
            switch (command) {
                case EngineCommand.Submit(ReplyHandle reply) -> submit(reply);
                case EngineCommand.Cancel(ReplyHandle reply) -> cancel(reply);
                case EngineCommand.CloseSession(EngineSession session) -> closeSession(session);
                case EngineCommand.Shutdown() -> running = false;
            }
        }
    }

    private void submit(ReplyHandle reply) {
        if (reply.session().conversation().closed) {
            reply.finish(FinishReason.CANCELLED, "the session is closed", ReplyStats.NONE);
            return;
        }
        deferred.addLast(reply);
        assignSlots();
        if (deferred.size() > config.maxQueued()) {
            ReplyHandle refused = deferred.pollLast();
            refused.finish(FinishReason.BUSY, "server busy: " + config.maxQueued()
                    + " messages are already waiting; try again later", ReplyStats.NONE);
        }
    }

    private void cancel(ReplyHandle reply) {
        if (deferred.remove(reply)) {
            reply.finish(FinishReason.CANCELLED, "", ReplyStats.NONE);
            return;
        }
        for (Slot slot : slots) {
            if (slot.turn != null && slot.turn.reply == reply) finish(slot, FinishReason.CANCELLED, "");
        }
        for (Turn turn : List.copyOf(suspensions.turns())) {
            if (turn.reply == reply) endSuspended(turn, FinishReason.CANCELLED, "");
        }
    }

    private void closeSession(EngineSession session) {
        Conversation conversation = session.conversation();
        conversation.closed = true;
        deferred.removeIf(reply -> {
            if (reply.session() != session) return false;
            reply.finish(FinishReason.CANCELLED, "the session was closed", ReplyStats.NONE);
            return true;
        });
        for (Turn turn : List.copyOf(suspensions.turns())) {
            if (turn.conversation == conversation) endSuspended(turn, FinishReason.CANCELLED, "the session was closed");
        }
        if (conversation.slot >= 0) {
            Slot slot = slots[conversation.slot];
            if (slot.turn != null) finish(slot, FinishReason.CANCELLED, "the session was closed");
            caches.evict(slot);
        }
        conversation.messages.clear();
        conversation.tokens = new int[0];
        conversation.coveredText = "";
        LOG.log(Level.DEBUG, "session {0} closed", session.id());
    }

    /** Gives free slots to suspended replies that may go on, then to queued replies, oldest first. */
    private void assignSlots() {
        for (Turn turn : List.copyOf(suspensions.turns())) {
            if (turn.reply.cancelRequested()) endSuspended(turn, FinishReason.CANCELLED, "");
        }
        for (Turn turn = suspensions.resumable(); turn != null; turn = suspensions.resumable()) {
            Slot slot = caches.slotFor(turn.conversation);
            if (slot == null) break;
            resume(slot, turn);
        }
        while (!deferred.isEmpty()) {
            ReplyHandle reply = deferred.peekFirst();
            if (reply.cancelRequested()) {
                deferred.pollFirst();
                reply.finish(FinishReason.CANCELLED, "", ReplyStats.NONE);
                continue;
            }
            // Built once, at the head of the queue: the conversation cannot change while its reply waits.
            if (reply.prompt() == null) {
                PromptBuilder.Result result = buildPrompt(reply);
                if (result instanceof PromptBuilder.Refused(FinishReason reason, String message)) {
                    deferred.pollFirst();
                    reply.finish(reason, message, ReplyStats.NONE);
                    continue;
                }
                reply.prompt(((PromptBuilder.Built) result).prompt());
            }
            Conversation conversation = reply.session().conversation();
            Slot slot = reply.stateless() == null ? null : PrefixCache.reusable(slots, reply.prompt().tokens());
            if (slot != null) {
                conversation = slot.resident;
            } else {
                if (reply.stateless() != null) conversation = new Conversation(List.of(), true);
                slot = caches.slotFor(conversation);
            }
            if (slot == null) return;
            deferred.pollFirst();
            start(slot, reply, conversation);
        }
    }

    /**
     * Suspends the replies paused beyond the grace (they leave their slot, which keeps their session's cache) and
     * evicts the caches of replies suspended for long and of idle sessions whose client has not taken their last
     * reply for as long.
     *
     * @return nanoseconds until the next paused reply's grace or suspended cache's time ends, 0 when this call freed a
     *         slot or cache, or -1 for none
     */
    private long suspendPaused() {
        long now = System.nanoTime();
        boolean changed = false;
        for (Slot paused = suspensions.preemptable(slots, now); paused != null;
             paused = suspensions.preemptable(slots, now)) {
            changed = true;
            LOG.log(Level.DEBUG, "session {0}: its listener took nothing for {1} ms; its reply leaves slot {2}",
                    paused.turn.reply.session().id(), (now - paused.turn.pausedSinceNanos) / 1_000_000, paused.seq);
            suspensions.suspend(paused);
        }
        for (Turn stale = suspensions.staleResident(now); stale != null; stale = suspensions.staleResident(now)) {
            changed = true;
            LOG.log(Level.DEBUG, "session {0}: suspended reply''s cache evicted", stale.reply.session().id());
            caches.evict(slots[stale.conversation.slot]);
        }
        for (Slot stalled = suspensions.staleIdle(slots, now); stalled != null;
             stalled = suspensions.staleIdle(slots, now)) {
            changed = true;
            LOG.log(Level.DEBUG, "slot {0}: its idle session''s client has not taken the last reply; cache evicted",
                    stalled.seq);
            caches.evict(stalled);
        }
        long graceLeft = suspensions.notePauses(slots, now);
        long staleLeft = suspensions.nanosUntilStale(slots, now);
        if (changed) return 0; // a slot may be free for waiting work: another pass first
        return graceLeft < 0 ? staleLeft : staleLeft < 0 ? graceLeft : Math.min(graceLeft, staleLeft);
    }

    /** Puts a suspended reply back into a slot; the tokens its cache held are decoded again (same state). */
    private void resume(Slot slot, Turn turn) {
        Conversation conversation = turn.conversation;
        slot.resident = conversation;
        conversation.slot = slot.seq;
        conversation.lastUsed = clock;
        int keep = conversation.kv.commonPrefix(turn.toDecode);
        caches.truncate(slot, conversation, keep);
        suspensions.resume(slot, turn, keep);
        LOG.log(Level.DEBUG, "session {0}: reply resumed in slot {1}, {2} tokens to decode again",
                turn.reply.session().id(), slot.seq, turn.toDecode.length - keep);
    }

    /**
     * Formats and tokenizes the reply's prompt. A failure there concerns this one message (its text, the template):
     * it ends this reply with {@code ERROR} instead of escaping to {@link #run} and stopping every session.
     */
    private PromptBuilder.Result buildPrompt(ReplyHandle reply) {
        try {
            ReplyHandle.Stateless stateless = reply.stateless();
            if (stateless != null) return prompts.buildStateless(stateless.messages());
            return prompts.build(reply.session().conversation(), reply.text());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session " + reply.session().id() + ": cannot prepare the prompt", e);
            return new PromptBuilder.Refused(FinishReason.ERROR, "the message could not be prepared: "
                    + e.getMessage());
        }
    }

    private void start(Slot slot, ReplyHandle reply, Conversation conversation) {
        int maxTokens = config.maxTokens();
        Sampler sampler = slot.sampler;
        ReplyHandle.Stateless stateless = reply.stateless();
        if (stateless != null) {
            maxTokens = Math.min(maxTokens, stateless.options().maxTokens());
            try {
                sampler = Samplers.forRequest(config.sampling(), stateless.options(), model.vocab().size());
            } catch (RuntimeException e) { // this request's settings: it fails alone, not the engine thread
                LOG.log(Level.WARNING, "session " + reply.session().id() + ": cannot make its sampler", e);
                reply.finish(FinishReason.ERROR, "the sampler could not be made: " + e.getMessage(), ReplyStats.NONE);
                return;
            }
        } else {
            sampler.reset();
        }
        Prompt prompt = reply.prompt();
        slot.resident = conversation;
        conversation.slot = slot.seq;
        conversation.lastUsed = clock;
        // Keep the cached prefix this prompt shares; at least the last prompt token is decoded for its logits.
        int[] tokens = prompt.tokens();
        int keep = Math.min(conversation.kv.commonPrefix(tokens), tokens.length - 1);
        caches.truncate(slot, conversation, keep);
        int budget = Math.min(maxTokens, config.contextPerSession() - tokens.length);
        slot.turn = new Turn(reply, conversation, prompt, budget, keep, ++started, step.maxDrafts(), sampler,
                stateless != null);
        LOG.log(Level.DEBUG, "session {0}: reply started in slot {1}, {2} prompt tokens, {3} cached, "
                + "{4} turns dropped", reply.session().id(), slot.seq, tokens.length, keep, prompt.droppedTurns());
    }

    /**
     * Ends the slot's reply. A completed answer ({@code END}, {@code MAX_TOKENS}) is committed to the conversation:
     * messages, tokens (the answer's tokens as sampled; the last one may not be decoded yet) and covered text. Any
     * other ending leaves the conversation as it was before the message was sent; the KV list still says exactly
     * what is cached, and the next prompt reuses its common prefix. A stateless request commits nothing: its cache
     * is its KV list alone.
     */
    void finish(Slot slot, FinishReason reason, String message) {
        Turn turn = slot.turn;
        slot.turn = null;
        end(turn, reason, message);
    }

    /** Ends a suspended reply (it never completes: only a slot's reply samples its end). */
    private void endSuspended(Turn turn, FinishReason reason, String message) {
        if (suspensions.remove(turn)) end(turn, reason, message);
    }

    private void end(Turn turn, FinishReason reason, String message) {
        if (turn.ownsSampler) turn.sampler.close();
        String tail = turn.utf8.finish();
        if (!tail.isEmpty()) {
            turn.answerText.append(tail);
            turn.reply.channel().offer(tail);
        }
        Conversation conversation = turn.conversation;
        conversation.lastUsed = clock;
        conversation.lastReply = turn.reply;
        conversation.lastEndedNanos = System.nanoTime();
        boolean completed = reason == FinishReason.END || reason == FinishReason.MAX_TOKENS;
        if (completed && !conversation.stateless) {
            String answer = turn.answerText.toString();
            conversation.messages.clear();
            conversation.messages.addAll(turn.prompt.messages());
            conversation.messages.add(new ChatMessage(ChatMessage.ASSISTANT, answer));
            int[] promptTokens = turn.prompt.tokens();
            int[] all = Arrays.copyOf(promptTokens, promptTokens.length + turn.answer.size());
            System.arraycopy(turn.answer.toArray(), 0, all, promptTokens.length, turn.answer.size());
            conversation.tokens = all;
            conversation.coveredText = turn.prompt.text() + answer;
            turn.reply.session().publishHistory(conversation.messages);
        }
        ReplyStats figures = turn.stats();
        turn.reply.answerTokens(turn.answer.toArray());
        turn.reply.logitsDigest(turn.logitsDigest);
        LOG.log(Level.DEBUG, "session {0}: reply ended {1} after {2} prompt and {3} answer tokens",
                turn.reply.session().id(), reason, figures.promptTokens(), figures.generatedTokens());
        turn.reply.finish(reason, message, figures);
    }

    /** Publishes the load figures; a new snapshot only when one of them changed, not one per pass. */
    private void publishStats() {
        int active = 0;
        for (Slot slot : slots) if (slot.turn != null) active++;
        int open = engine.openSessions();
        int cells = context.usedCells();
        EngineStats last = stats;
        if (last.openSessions() != open || last.activeReplies() != active || last.queuedReplies() != deferred.size()
                || last.kvCellsInUse() != cells) {
            stats = new EngineStats(open, active, deferred.size(), cells);
        }
    }

    /**
     * Ends every reply (CANCELLED when the engine was closed, ERROR when it failed), refuses further commands and
     * frees native memory. Runs to the end even if ending a reply fails again (the failure that stopped the engine
     * may lie there): a reply left open, or a command queue left accepting, would wait forever.
     */
    private void shutDown(FinishReason reason, String message) {
        try {
            for (Slot slot : slots) {
                if (slot.turn != null) finishBare(slot, reason, message);
            }
            for (ReplyHandle reply : deferred) reply.finish(reason, message, ReplyStats.NONE);
            deferred.clear();
            for (Turn turn : suspensions.turns()) turn.reply.finish(reason, message, ReplyStats.NONE);
        } finally {
            try {
                String failure = reason == FinishReason.ERROR ? message : null;
                for (EngineCommand command : engine.stopAccepting(failure)) {
                    if (command instanceof EngineCommand.Submit(ReplyHandle reply)) {
                        reply.finish(reason, message, ReplyStats.NONE);
                    }
                }
            } finally {
                for (Slot slot : slots) slot.sampler.close();
                suspensions.close();
                batch.close();
                context.close();
                model.close();
                stats = new EngineStats(0, 0, 0, 0);
                LOG.log(Level.INFO, "engine stopped");
            }
        }
    }

    /** Ends the slot's reply; if that fails, ends it without its figures or a committed answer. */
    private void finishBare(Slot slot, FinishReason reason, String message) {
        Turn turn = slot.turn;
        ReplyHandle reply = turn.reply;
        try {
            finish(slot, reason, message);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "session " + reply.session().id() + ": cannot end the reply in order", e);
            if (turn.ownsSampler) turn.sampler.close();
            slot.turn = null;
            reply.finish(reason, message, ReplyStats.NONE);
        }
    }
}
