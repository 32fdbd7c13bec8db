package dev.chatserver.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.Completion;
import dev.chatserver.engine.ReplyListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener that records what it receives, optionally blocking in {@code onText} until released (a slow client).
 * Thread-safe: called on the reply's delivery thread, read by the test thread.
 */
public final class Transcript implements ReplyListener {

    /** The text pieces, in the order they arrived. */
    public final List<String> pieces = new CopyOnWriteArrayList<>();
    /** Every completion received (a correct reply has exactly one). */
    public final List<Completion> completions = new CopyOnWriteArrayList<>();
    /** How often {@code onComplete} was called. */
    public final AtomicInteger completeCalls = new AtomicInteger();
    /** Counted down when the first piece arrived. */
    public final CountDownLatch firstPiece = new CountDownLatch(1);
    private final CountDownLatch release;

    private Transcript(boolean blocking) {
        this.release = new CountDownLatch(blocking ? 1 : 0);
    }

    /** @return a listener that just records */
    public static Transcript recording() {
        return new Transcript(false);
    }

    /** @return a listener that blocks in its first {@code onText} until {@link #release()} */
    public static Transcript blocking() {
        return new Transcript(true);
    }

    /** Lets a blocking listener return from {@code onText}, now and from then on. */
    public void release() {
        release.countDown();
    }

    @Override
    public void onText(String piece) {
        pieces.add(piece);
        firstPiece.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void onComplete(Completion completion) {
        completions.add(completion);
        completeCalls.incrementAndGet();
    }

    /** Waits for the first piece; fails the test when none arrives within {@link TestEngines#TIMEOUT}. */
    public void awaitFirstPiece() {
        try {
            assertThat(firstPiece.await(TestEngines.TIMEOUT.toNanos(), TimeUnit.NANOSECONDS))
                    .as("a first piece arrived within %s", TestEngines.TIMEOUT).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** @return true once the first piece or the completion arrived (a blocking listener is then holding) */
    public boolean started() {
        return firstPiece.getCount() == 0 || completeCalls.get() > 0;
    }

    /** @return the pieces joined */
    public String text() {
        return String.join("", pieces);
    }
}
