package dev.chatserver.protocol;

import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.FinishReason;
import dev.chatserver.engine.Reply;
import dev.chatserver.engine.ReplyListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One answer of an {@link EngineConversation}: sends the prompt to the session, whose listener streams the reply to
 * the outbound, and waits for whichever comes first, the reply's completion or a stop signal (cancel, shutdown,
 * client gone); a stop cancels the reply at once, also while it is queued in the engine or its prompt is decoded.
 * Ends with exactly one end message, or none when the client is gone.
 *
 * <p>Runs on the conversation's answer thread (the reply's text is sent by the reply's delivery thread); it waits
 * on both signals at once, so no thread of its own watches either.
 */
final class Answer {

    private static final System.Logger LOG = System.getLogger(EngineConversation.class.getName());
    /** How long a cancelled reply may take to complete before the next prompt is sent anyway. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    /** Why an answer was stopped before the engine finished it. */
    enum Stop { CANCEL, SHUTDOWN, GONE }

    /** How one answer's wait ended: the reply completed, or a stop signal came first. */
    private sealed interface Outcome {
    }

    private record Finished(Completion completion) implements Outcome {
    }

    private record Stopped(Stop stop) implements Outcome {
    }

    private final ChatSession session;
    private final Outbound outbound;

    Answer(ChatSession session, Outbound outbound) {
        this.session = session;
        this.outbound = outbound;
    }

    /**
     * Streams one answer; returns when its end message went out (or the client is gone).
     *
     * @param prompt the prompt
     * @param stop   completed by the conversation with the reason to stop early
     * @throws InterruptedException if the answer thread is interrupted; the reply is cancelled
     */
    void run(String prompt, CompletableFuture<Stop> stop) throws InterruptedException {
        // Completed once this answer's end message is out or abandoned. The listener's onComplete returns only then:
        // the engine takes a reply whose onComplete has returned for one the client has, and keeps the caches of
        // clients that stopped reading only for a while (see ReplyListener).
        CompletableFuture<Void> endOut = new CompletableFuture<>();
        try {
            answer(prompt, stop, endOut);
        } finally {
            endOut.complete(null);
        }
    }

    private void answer(String prompt, CompletableFuture<Stop> stop, CompletableFuture<Void> endOut)
            throws InterruptedException {
        PieceGate gate = new PieceGate(outbound);
        CompletableFuture<Completion> done = new CompletableFuture<>();
        Reply reply;
        try {
            reply = session.send(prompt, new ReplyListener() {
                @Override
                public void onText(String piece) {
                    gate.piece(piece);
                }

                @Override
                public void onComplete(Completion completion) {
                    done.complete(completion);
                    endOut.join(); // the reply's delivery thread waits here, never the engine
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session " + session.id() + ": engine refused the prompt", e);
            gate.end(ServerMessage.End.error("the engine is not available"));
            return;
        }
        Outcome outcome;
        try {
            outcome = firstOf(done, stop);
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "session " + session.id() + ": reply failed", e.getCause());
            reply.cancel();
            gate.end(ServerMessage.End.error("internal error"));
            return;
        } catch (InterruptedException e) {
            reply.cancel();
            gate.close();
            throw e;
        }
        if (outcome instanceof Stopped) reply.cancel(); // the stop came first: the engine stops the reply now
        // A stop cancels the reply, so the reply's completion may win the race with the stop that caused it (the
        // closing thread completes the stop first, then closes the session): the stop says what happened.
        if (outcome instanceof Finished(Completion completion) && completion.reason() == FinishReason.CANCELLED
                && stop.isDone()) {
            outcome = new Stopped(stop.join());
        }
        switch (outcome) {
            case Finished finished -> gate.end(endOf(finished.completion()));
            case Stopped stopped -> {
                switch (stopped.stop()) {
                    case GONE -> gate.close();
                    case CANCEL -> gate.end(ServerMessage.End.ok());
                    case SHUTDOWN -> gate.end(ServerMessage.End.error(Conversation.SHUTTING_DOWN));
                }
                // The session takes no new reply until this one completed (it would be BUSY). After a shutdown or
                // with the client gone no reply follows, so there is nothing to wait for.
                if (stopped.stop() == Stop.CANCEL) awaitCompletion(done);
            }
        }
    }

    /** Waits until the reply completed or a stop came, and says which came first. */
    private static Outcome firstOf(CompletableFuture<Completion> done, CompletableFuture<Stop> stop)
            throws InterruptedException, ExecutionException {
        Object first = CompletableFuture.anyOf(done, stop).get();
        return first instanceof Stop why ? new Stopped(why) : new Finished((Completion) first);
    }

    private void awaitCompletion(CompletableFuture<Completion> done) throws InterruptedException {
        try {
            done.get(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "session {0}: a cancelled reply did not complete in {1}", session.id(), CANCEL_WAIT);
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "session " + session.id() + ": reply failed", e.getCause());
        }
    }

    /** The end message for a reply the engine completed. */
    static ServerMessage.End endOf(Completion completion) {
        return switch (completion.reason()) {
            case END -> ServerMessage.End.finished(ServerMessage.Finish.STOP, completion.stats().droppedTurns());
            case MAX_TOKENS -> ServerMessage.End.finished(ServerMessage.Finish.LENGTH,
                    completion.stats().droppedTurns());
            case BUSY -> ServerMessage.End.error("server busy");
            case CANCELLED -> ServerMessage.End.error("answer cancelled");
            case CONTEXT_FULL -> ServerMessage.End.error(orElse(completion.message(),
                    "the prompt does not fit the context window"));
            case ERROR -> ServerMessage.End.error(orElse(completion.message(), "internal error"));
        };
    }

    private static String orElse(String message, String fallback) {
        return message.isBlank() ? fallback : message;
    }
}
