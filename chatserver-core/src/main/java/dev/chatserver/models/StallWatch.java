package dev.chatserver.models;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * Closes a response body that has delivered nothing for too long, so that a read blocked on a silent connection
 * fails instead of waiting forever ({@link java.net.http.HttpClient} has no read timeout of its own).
 *
 * <p>The downloading thread calls {@link #dataArrived()} and {@link #stop()}; a virtual thread named
 * {@code download-stall-watch} checks the time and closes the body.
 */
final class StallWatch {

    private final InputStream body;
    private final long timeoutNanos;
    private final Thread watcher;
    private volatile long lastData = System.nanoTime();
    private volatile boolean stalled;

    private StallWatch(InputStream body, Duration timeout) {
        this.body = body;
        this.timeoutNanos = timeout.toNanos();
        this.watcher = Thread.ofVirtual().name("download-stall-watch").unstarted(this::watch);
    }

    /** @return a running watch over {@code body} */
    static StallWatch start(InputStream body, Duration timeout) {
        StallWatch watch = new StallWatch(body, timeout);
        watch.watcher.start();
        return watch;
    }

    /** Bytes were read: the connection is alive. */
    void dataArrived() {
        lastData = System.nanoTime();
    }

    /** @return whether the watch closed the body because nothing arrived in time */
    boolean stalled() {
        return stalled;
    }

    /** Ends the watch; the body is left as it is. */
    void stop() {
        watcher.interrupt();
    }

    private void watch() {
        // Checking a few times per timeout keeps the overshoot small without busy waiting.
        long checkMillis = Math.max(10, timeoutNanos / 4_000_000);
        try {
            while (System.nanoTime() - lastData < timeoutNanos) {
                Thread.sleep(checkMillis);
            }
            stalled = true;
            body.close();
        } catch (InterruptedException e) {
            // stopped: the transfer ended
        } catch (IOException e) {
            // closing failed; the read stays blocked until the connection itself fails
        }
    }
}
