package dev.chatserver.engine;

import java.lang.System.Logger.Level;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The bounded buffer between the engine thread and one reply's listener, and the delivery thread that drains it.
 *
 * <p>The engine thread puts text pieces with {@link #offer} and never blocks: it checks {@link #hasRoom} first and
 * pauses the session while the buffer is full. The completion is put with {@link #complete} by whichever thread
 * ends the reply, outside the bound, so ending a reply never blocks either. The delivery thread (a virtual thread,
 * one per reply) calls the listener, and wakes the engine whenever it frees room in a full buffer.
 */
final class ReplyChannel {

    private static final System.Logger LOG = System.getLogger(ReplyChannel.class.getName());

    /** Items in delivery order: text pieces ({@link String}), then one {@link Completion}. */
    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private final int capacity;
    private final ReplyListener listener;
    private final Runnable roomFreed;
    private final Runnable listenerFailed;
    private final String sessionId;
    /** Set by the delivery thread once the listener's {@code onComplete} returned. */
    private volatile boolean delivered;

    /**
     * @param capacity       text pieces the buffer holds before the session pauses
     * @param listener       the application's listener
     * @param roomFreed      called on the delivery thread after it took a piece out of a full buffer
     * @param listenerFailed called once if the listener throws from {@code onText} (the receiver is gone)
     * @param sessionId      for log messages
     */
    ReplyChannel(int capacity, ReplyListener listener, Runnable roomFreed, Runnable listenerFailed,
                 String sessionId) {
        this.capacity = capacity;
        this.listener = listener;
        this.roomFreed = roomFreed;
        this.listenerFailed = listenerFailed;
        this.sessionId = sessionId;
    }

    /** @return true while one more piece fits (engine thread) */
    boolean hasRoom() {
        return items.size() < capacity;
    }

    /**
     * @return how many more pieces fit now (engine thread; the delivery thread only makes more room); never
     *         negative, since the engine checks before it offers
     */
    int room() {
        return capacity - items.size();
    }

    /** @return true while at most half the capacity is used (engine thread): a suspended reply may resume */
    boolean halfEmpty() {
        return items.size() <= capacity / 2;
    }

    /**
     * @return true once the listener has taken the whole reply, its completion included (any thread); a client that
     *         stopped reading keeps this false although the engine is done with the reply
     */
    boolean delivered() {
        return delivered;
    }

    /**
     * Buffers a text piece; the caller has checked {@link #hasRoom}.
     *
     * @param piece whole characters, not empty
     */
    void offer(String piece) {
        items.add(piece);
    }

    /** @param completion the end of the reply; delivered after every piece already buffered */
    void complete(Completion completion) {
        items.add(completion);
    }

    /**
     * Starts the delivery thread.
     *
     * @param delivered called with the completion after the listener's {@code onComplete} returned
     */
    void startDelivery(Consumer<Completion> delivered) {
        Thread.ofVirtual().name("reply-delivery-" + sessionId).start(() -> deliver(delivered));
    }

    private void deliver(Consumer<Completion> delivered) {
        boolean listening = true;
        while (true) {
            Object item;
            try {
                item = items.take();
            } catch (InterruptedException e) {
                // Nobody interrupts delivery threads; if someone does, keep draining: the reply must complete.
                continue;
            }
            if (item instanceof Completion completion) {
                try {
                    listener.onComplete(completion);
                } catch (Throwable e) { // whatever the listener throws, the reply must still complete
                    LOG.log(Level.WARNING, "session " + sessionId + ": listener failed on completion", e);
                }
                this.delivered = true;
                delivered.accept(completion);
                return;
            }
            // Wake the engine when a full buffer gets room (a paused session goes on) and when it is half empty (a
            // suspended reply resumes only then, so a client that reads a trickle does not resume it for every piece).
            int size = items.size();
            if (size == capacity - 1 || size == capacity / 2) roomFreed.run();
            if (!listening) continue;
            try {
                listener.onText((String) item);
            } catch (Throwable e) {
                // A failing listener means the receiver is gone: stop calling it and stop generating. An Error is
                // a surprise worth a warning; either way this thread must go on draining, or the reply would never
                // complete and its paused session would hold its slot forever.
                LOG.log(e instanceof Error ? Level.WARNING : Level.DEBUG,
                        "session " + sessionId + ": listener failed, cancelling the reply", e);
                listening = false;
                listenerFailed.run();
            }
        }
    }
}
