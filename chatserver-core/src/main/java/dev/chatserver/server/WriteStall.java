package dev.chatserver.server;

import java.time.Duration;

/**
 * Since when a connection's output has waited for its client to read: the measure of the write timeout
 * ({@link ServerLimits#writeTimeout()}). The connection's writers mark the start and end of waiting output (any
 * thread); a timer checks it (the blocking modes' write watch, or the selector thread).
 */
final class WriteStall {

    /** {@link System#nanoTime()} since which output has waited without progress; 0 while none waits. */
    private volatile long since;

    /** Output waits from now (a blocking write starts, or queued output made progress and more is left). */
    void waiting() {
        since = Math.max(1, System.nanoTime());
    }

    /** Output waits; from now only if it did not already. */
    void waitingSinceNow() {
        if (since == 0) waiting();
    }

    /** No output waits. */
    void done() {
        since = 0;
    }

    /**
     * @param now     {@link System#nanoTime()}
     * @param timeout the write timeout
     * @return true when output has waited without progress for longer than the timeout
     */
    boolean exceeded(long now, Duration timeout) {
        long start = since;
        return start != 0 && now - start > timeout.toNanos();
    }
}
