package dev.chatserver.engine;

import java.time.Duration;
import java.util.Optional;

/** A handle on one reply in progress. Safe to use from any thread. */
public interface Reply {

    /**
     * Stops this reply within one decode step, also while it is queued or its prompt is being decoded. The reply
     * then completes with {@link FinishReason#CANCELLED} unless it had already completed.
     */
    void cancel();

    /**
     * Waits until the reply completed: its listener's {@link ReplyListener#onComplete} has returned, so every piece
     * has been delivered.
     *
     * @return how it ended
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Completion await() throws InterruptedException;

    /**
     * Waits at most the given time.
     *
     * @param timeout how long to wait
     * @return how it ended, or empty if it is still running
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Optional<Completion> await(Duration timeout) throws InterruptedException;

    /** @return the figures so far (final once completed) */
    ReplyStats stats();
}
