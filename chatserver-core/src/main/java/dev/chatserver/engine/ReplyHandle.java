package dev.chatserver.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One reply: the user's message, its channel to the listener, and how it ended.
 *
 * <p>Created by {@link EngineSession#send} on the caller's thread; its stats are written by the engine thread;
 * {@link #cancel} and the waits may be called from any thread. Exactly one {@link #finish} wins.
 */
final class ReplyHandle implements Reply {

    private final EngineSession session;
    private final String text;
    private final long sentNanos = System.nanoTime();
    private final ReplyChannel channel;
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Completed by the delivery thread after the listener's {@code onComplete} returned. */
    private final CompletableFuture<Completion> delivered = new CompletableFuture<>();
    private volatile boolean cancelRequested;
    private volatile ReplyStats stats = ReplyStats.NONE;
    /** The answer's tokens as sampled, set by the engine thread when the reply ends (for tests and diagnostics). */
    private volatile int[] answerTokens = new int[0];
    /** A hash of the logits of every sampled position, set by the engine thread when the reply ends (tests). */
    private volatile long logitsDigest;
    /** The prompt, once the engine thread built it; only that thread reads and writes it. */
    private Prompt prompt;

    ReplyHandle(EngineSession session, String text, ReplyListener listener, int bufferPieces, Runnable wakeEngine) {
        this.session = session;
        this.text = text;
        this.channel = new ReplyChannel(bufferPieces, CountingListener.of(listener, session.engine().metrics()),
                wakeEngine, this::cancel, session.id());
        channel.startDelivery(delivered::complete);
    }

    EngineSession session() {
        return session;
    }

    /** @return the user's message */
    String text() {
        return text;
    }

    /** @return {@link System#nanoTime()} when the message was sent */
    long sentNanos() {
        return sentNanos;
    }

    ReplyChannel channel() {
        return channel;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    Prompt prompt() {
        return prompt;
    }

    void prompt(Prompt built) {
        this.prompt = built;
    }

    /** @return a hash of the logits of every sampled position, if the engine traces them (for tests) */
    long logitsDigest() {
        return logitsDigest;
    }

    /** @param digest the hash (engine thread, before {@link #finish}) */
    void logitsDigest(long digest) {
        this.logitsDigest = digest;
    }

    int[] answerTokens() {
        return answerTokens.clone();
    }

    /** @param tokens the answer's tokens (engine thread, before {@link #finish}) */
    void answerTokens(int[] tokens) {
        this.answerTokens = tokens;
    }

    /** @param figures the stats so far (engine thread) */
    void updateStats(ReplyStats figures) {
        this.stats = figures;
    }

    /**
     * Ends the reply unless it already ended: flushes the completion to the listener and frees the session for
     * its next message.
     *
     * @return true if this call ended it
     */
    boolean finish(FinishReason reason, String message, ReplyStats figures) {
        if (!finished.compareAndSet(false, true)) return false;
        this.stats = figures;
        session.replyEnded(this);
        channel.complete(new Completion(reason, message, figures));
        return true;
    }

    @Override
    public void cancel() {
        if (cancelRequested || finished.get()) return;
        cancelRequested = true;
        session.engine().cancel(this);
    }

    @Override
    public Completion await() throws InterruptedException {
        try {
            return delivered.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public Optional<Completion> await(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(delivered.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public ReplyStats stats() {
        return stats;
    }
}
