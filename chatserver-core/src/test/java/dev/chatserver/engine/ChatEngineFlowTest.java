package dev.chatserver.engine;

import static dev.chatserver.engine.Engines.ask;
import static dev.chatserver.engine.Engines.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cancellation, busy refusals, slow listeners and closing with replies in flight. */
class ChatEngineFlowTest {

    /** Polls a condition that another thread makes true; fails after the generous timeout. */
    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Engines.TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    /** A session whose listener blocks on its first piece: with a one-piece buffer its slot stays paused. */
    private static Transcript holdSlot(ChatSession session, List<Reply> replies) throws InterruptedException {
        Transcript blocked = Transcript.blocking();
        replies.add(session.send("Talk to me for a while.", blocked));
        assertThat(blocked.firstPiece.await(Engines.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return blocked;
    }

    @Test
    void aCancelledQueuedReplyNeverRuns() throws InterruptedException {
        try (ChatEngine engine = Engines.start(Engines.tiny(), 1, c -> c.bufferPieces(1))) {
            List<Reply> replies = new ArrayList<>();
            Transcript blocked = holdSlot(engine.openSession(), replies);
            ChatSession waiting = engine.openSession();
            Transcript queued = Transcript.recording();
            Reply reply = waiting.send("Am I next?", queued);
            eventually("the reply is queued", () -> engine.stats().queuedReplies() == 1);
            reply.cancel();
            Completion completion = await(reply);
            assertThat(completion.reason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(completion.stats()).isEqualTo(ReplyStats.NONE);
            assertThat(queued.pieces).isEmpty();
            assertThat(waiting.history()).isEmpty();
            blocked.release();
            assertThat(await(replies.getFirst()).isSuccess()).isTrue();
            ask(waiting, "Am I next?"); // the session is usable after the cancellation
        }
    }

    @Test
    void aReplyCancelledWhileItsPromptIsDecodedStopsAndLeavesTheHistoryAsItWas() throws InterruptedException {
        Path model = Engines.tiny();
        String longMessage = "word ".repeat(1500);
        try (ChatEngine engine = Engines.start(model, 2,
                c -> c.contextPerSession(4096).batchSize(8).maxTokens(16))) {
            ChatSession session = engine.openSession();
            Reply reply = session.send(longMessage, Transcript.recording());
            eventually("part of the prompt is decoded", () -> reply.stats().promptTokens() > 0);
            reply.cancel();
            Completion completion = await(reply);
            assertThat(completion.reason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(completion.stats().generatedTokens()).isZero();
            assertThat(completion.stats().promptTokens()).isPositive().isLessThan(1500);
            assertThat(session.history()).isEmpty();
            // The next message starts from the cache the cancelled prompt left behind, and is answered.
            assertThat(ask(session, "Hello").text()).isNotNull();
            assertThat(session.history()).hasSize(2);
        }
    }

    @Test
    void aReplyCancelledWhileGeneratingEndsCancelledAndOtherSessionsGoOn() throws InterruptedException {
        try (ChatEngine engine = Engines.start(Engines.tiny(), 2, c -> c.bufferPieces(1).maxTokens(48))) {
            List<Reply> replies = new ArrayList<>();
            ChatSession talker = engine.openSession();
            Transcript blocked = holdSlot(talker, replies);
            Reply reply = replies.getFirst();
            reply.cancel();
            ChatSession other = engine.openSession();
            assertThat(ask(other, "Are you still there?").completion().isSuccess()).isTrue();
            blocked.release();
            Completion completion = await(reply);
            assertThat(completion.reason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(completion.stats().generatedTokens()).isPositive().isLessThan(48);
            assertThat(blocked.completeCalls.get()).isEqualTo(1);
            assertThat(talker.history()).as("a cancelled answer is not kept").isEmpty();
        }
    }

    @Test
    void aSlowListenerPausesOnlyItsOwnSessionAndItsAnswerIsUnchanged() throws InterruptedException {
        Path model = Engines.tiny();
        String alone;
        try (ChatEngine engine = Engines.start(model, 1)) {
            alone = ask(engine.openSession(), "Talk to me for a while.").text();
        }
        try (ChatEngine engine = Engines.start(model, 2, c -> c.bufferPieces(1))) {
            List<Reply> replies = new ArrayList<>();
            Transcript slow = holdSlot(engine.openSession(), replies);
            // While the slow reply is paused, another session is answered in full.
            for (int i = 0; i < 3; i++) assertThat(ask(engine.openSession(), "Quick " + i).completion().isSuccess()).isTrue();
            assertThat(replies.getFirst().await(Duration.ZERO)).isEmpty();
            slow.release();
            assertThat(await(replies.getFirst()).isSuccess()).isTrue();
            assertThat(slow.text()).isEqualTo(alone);
        }
    }

    @ParameterizedTest(name = "parallel {0}")
    @ValueSource(ints = {1, 2})
    void closingTheEngineEndsEveryReplyInFlightAsCancelled(int parallel) throws InterruptedException {
        List<Reply> replies = new ArrayList<>();
        List<Transcript> listeners = new ArrayList<>();
        ChatEngine engine = Engines.start(Engines.tiny(), parallel, c -> c.bufferPieces(1).maxTokens(64));
        for (int i = 0; i < parallel; i++) listeners.add(holdSlot(engine.openSession(), replies));
        ChatSession queued = engine.openSession();
        Transcript queuedListener = Transcript.recording();
        replies.add(queued.send("waiting", queuedListener));
        listeners.add(queuedListener);
        engine.close();
        engine.close();
        assertThat(engine.stats().kvCellsInUse()).isZero();
        listeners.forEach(Transcript::release);
        for (Reply reply : replies) assertThat(await(reply).reason()).isEqualTo(FinishReason.CANCELLED);
        for (Transcript listener : listeners) assertThat(listener.completeCalls.get()).isEqualTo(1);
        Completion late = await(queued.send("after close", Transcript.recording()));
        assertThat(late.reason()).isEqualTo(FinishReason.CANCELLED);
        assertThatThrownBy(engine::openSession).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSecondMessageWhileTheFirstIsAnsweredIsRefusedAsBusy() throws InterruptedException {
        try (ChatEngine engine = Engines.start(Engines.tiny(), 1, c -> c.bufferPieces(1))) {
            List<Reply> replies = new ArrayList<>();
            ChatSession session = engine.openSession();
            Transcript blocked = holdSlot(session, replies);
            Transcript second = Transcript.recording();
            Completion busy = await(session.send("me too", second));
            assertThat(busy.reason()).isEqualTo(FinishReason.BUSY);
            assertThat(busy.message()).contains(session.id());
            assertThat(second.completeCalls.get()).isEqualTo(1);
            blocked.release();
            assertThat(await(replies.getFirst()).isSuccess()).isTrue();
            ask(session, "now it is my turn");
        }
    }

    @Test
    void beyondTheQueueLimitMessagesAreRefusedAsServerBusy() throws InterruptedException {
        try (ChatEngine engine = Engines.start(Engines.tiny(), 1, c -> c.bufferPieces(1).maxQueued(2))) {
            List<Reply> replies = new ArrayList<>();
            Transcript blocked = holdSlot(engine.openSession(), replies);
            Reply first = engine.openSession().send("one", Transcript.recording());
            Reply second = engine.openSession().send("two", Transcript.recording());
            eventually("two replies are queued", () -> engine.stats().queuedReplies() == 2);
            Completion third = await(engine.openSession().send("three", Transcript.recording()));
            assertThat(third.reason()).isEqualTo(FinishReason.BUSY);
            assertThat(third.message()).contains("server busy");
            blocked.release();
            assertThat(await(first).isSuccess()).isTrue();
            assertThat(await(second).isSuccess()).isTrue();
        }
    }

    @Test
    void closingASessionCancelsItsReplyAndFreesItsCache() throws InterruptedException {
        try (ChatEngine engine = Engines.start(Engines.tiny(), 2, c -> c.bufferPieces(1))) {
            List<Reply> replies = new ArrayList<>();
            ChatSession session = engine.openSession();
            Transcript blocked = holdSlot(session, replies);
            eventually("the session's tokens are cached", () -> engine.stats().kvCellsInUse() > 0);
            session.close();
            blocked.release();
            assertThat(await(replies.getFirst()).reason()).isEqualTo(FinishReason.CANCELLED);
            eventually("the session's cache is freed", () -> engine.stats().kvCellsInUse() == 0);
            assertThat(engine.stats().openSessions()).isZero();
        }
    }

    @Test
    void closingASessionWhoseReplyIsQueuedCancelsIt() throws InterruptedException {
        try (ChatEngine engine = Engines.start(Engines.tiny(), 1, c -> c.bufferPieces(1))) {
            List<Reply> replies = new ArrayList<>();
            Transcript blocked = holdSlot(engine.openSession(), replies);
            ChatSession waiting = engine.openSession();
            Reply queued = waiting.send("waiting", Transcript.recording());
            eventually("the reply is queued", () -> engine.stats().queuedReplies() == 1);
            waiting.close();
            assertThat(await(queued).reason()).isEqualTo(FinishReason.CANCELLED);
            blocked.release();
            assertThat(await(replies.getFirst()).isSuccess()).isTrue();
        }
    }

    @Test
    void aListenerThatThrowsCancelsItsReplyAndStillGetsOneCompletion() {
        // A one-piece buffer: the engine waits for the listener, so the failure stops the reply early.
        try (ChatEngine engine = Engines.start(Engines.tiny(), 2, c -> c.maxTokens(64).bufferPieces(1))) {
            List<Completion> completions = new java.util.concurrent.CopyOnWriteArrayList<>();
            Reply reply = engine.openSession().send("Hello", new ReplyListener() {
                @Override
                public void onText(String piece) {
                    throw new IllegalStateException("the client went away");
                }

                @Override
                public void onComplete(Completion completion) {
                    completions.add(completion);
                }
            });
            Completion completion = await(reply);
            assertThat(completion.reason()).isIn(FinishReason.CANCELLED, FinishReason.END);
            assertThat(completions).containsExactly(completion);
            assertThat(ask(engine.openSession(), "Another one").completion().isSuccess()).isTrue();
        }
    }
}
