package dev.chatserver.testing;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.Reply;
import dev.chatserver.engine.ReplyListener;
import java.util.concurrent.CountDownLatch;

/**
 * Holds the only slot of a one-slot engine configured with a one-piece reply buffer: a reply whose listener blocks
 * on its first piece, so its session pauses in the slot and later requests wait in the engine's queue until
 * {@link #close()}. Lets tests put requests in the queue without depending on timing.
 */
public final class SlotHolder implements AutoCloseable {

    private final ChatEngine engine;
    private final ChatSession session;
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final Reply reply;

    public SlotHolder(ChatEngine engine) {
        this.engine = engine;
        this.session = engine.openSession();
        this.reply = session.send("Hold the slot for a while please.", new ReplyListener() {
            @Override
            public void onText(String piece) {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onComplete(Completion completion) {
                blocked.countDown();
            }
        });
        TestEngines.eventually("the holder's listener blocks", () -> blocked.getCount() == 0);
        TestEngines.eventually("the holder occupies the slot", () -> engine.stats().activeReplies() == 1);
    }

    @Override
    public void close() {
        release.countDown();
        TestEngines.await(reply);
        session.close();
    }

    public ChatEngine engine() {
        return engine;
    }
}
