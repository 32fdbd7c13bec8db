package dev.chatserver.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener that records what it receives, optionally blocking in {@code onText} until released (a slow client).
 * Thread-safe: called on the reply's delivery thread, read by the test thread.
 */
final class Transcript implements ReplyListener {

    final List<String> pieces = new CopyOnWriteArrayList<>();
    final List<Completion> completions = new CopyOnWriteArrayList<>();
    final AtomicInteger completeCalls = new AtomicInteger();
    private final CountDownLatch release;
    /** Counted down when the first piece arrived. */
    final CountDownLatch firstPiece = new CountDownLatch(1);

    private Transcript(boolean blocking) {
        this.release = new CountDownLatch(blocking ? 1 : 0);
    }

    /** @return a listener that just records */
    static Transcript recording() {
        return new Transcript(false);
    }

    /** @return a listener that blocks in its first {@code onText} until {@link #release()} */
    static Transcript blocking() {
        return new Transcript(true);
    }

    void release() {
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

    String text() {
        return String.join("", pieces);
    }
}
