package dev.chatserver.protocol;

import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.Reply;
import dev.chatserver.engine.ReplyListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Conversation} over one {@link ChatSession}.
 *
 * <p>Threads: the transport's reader calls {@code receive}/{@code reject} (never blocks: it queues and, when no
 * answer thread runs, starts one); the answer thread (a virtual thread that lives while requests wait) answers the
 * queue in order, each answer in its own {@link StructuredTaskScope}; any thread may call {@code close} and
 * {@code shutdown}. The fields below the lock are guarded by it.
 */
final class EngineConversation implements Conversation {

    private static final System.Logger LOG = System.getLogger(EngineConversation.class.getName());
    /** How long a cancelled reply may take to complete before the next prompt is sent anyway. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    /** A request waiting in line: a prompt to answer, or bad input to answer with an error. */
    private sealed interface Pending {
    }

    private record Ask(String prompt) implements Pending {
    }

    private record Refuse(String error) implements Pending {
    }

    /** A prompt cancelled before its answer started. */
    private record Skip() implements Pending {
    }

    /** Why an answer was stopped before the engine finished it. */
    private enum Stop { CANCEL, SHUTDOWN, GONE }

    /** How one answer's scope ended: the reply completed, or a stop signal came first. */
    private sealed interface Outcome {
    }

    private record Finished(Completion completion) implements Outcome {
    }

    private record Stopped(Stop stop) implements Outcome {
    }

    private final ChatSession session;
    private final Outbound outbound;
    private final ConversationLimits limits;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Parts of a prompt sent with {@code "eog": false}; null when none. */
    private StringBuilder parts;
    /** True while an answer thread runs. */
    private boolean draining;
    /** Completed with the reason to stop the answer in progress; null when none streams. */
    private CompletableFuture<Stop> current;
    private boolean shuttingDown;
    private boolean closed;

    EngineConversation(ChatSession session, Outbound outbound, ConversationLimits limits) {
        this.session = session;
        this.outbound = outbound;
        this.limits = limits;
    }

    @Override
    public String sessionId() {
        return session.id();
    }

    @Override
    public void receive(ClientMessage message) throws ProtocolException {
        lock.lock();
        try {
            if (closed) return;
            switch (message) {
                case ClientMessage.Cancel ignored -> cancel();
                case ClientMessage.Prompt prompt -> prompt(prompt);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void receiveJson(String json) throws ProtocolException {
        ClientMessage message;
        try {
            message = MessageCodec.decodeClient(json);
        } catch (ProtocolException bad) {
            reject(bad);
            return;
        }
        receive(message);
    }

    @Override
    public void reject(ProtocolException problem) throws ProtocolException {
        lock.lock();
        try {
            if (!closed) enqueue(new Refuse(problem.getMessage()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the answer in progress or, when none has started yet, skips the next prompt waiting (it then gets an
     * end message without an answer). Nothing to stop: ignored. Holds the lock.
     */
    private void cancel() {
        if (current != null) {
            current.complete(Stop.CANCEL);
            return;
        }
        ArrayDeque<Pending> kept = new ArrayDeque<>(pending.size());
        boolean skipped = false;
        for (Pending request : pending) {
            if (!skipped && request instanceof Ask) {
                kept.add(new Skip());
                skipped = true;
            } else {
                kept.add(request);
            }
        }
        pending.clear();
        pending.addAll(kept);
    }

    /** Holds the lock. */
    private void prompt(ClientMessage.Prompt prompt) throws ProtocolException {
        int sofar = parts == null ? 0 : parts.length();
        if (sofar + prompt.text().length() > limits.maxPromptChars()) {
            parts = null;
            throw new ProtocolException(ProtocolException.Kind.TOO_LARGE,
                    "prompt too long: the limit is " + limits.maxPromptChars() + " characters");
        }
        if (!prompt.eog()) {
            if (parts == null) parts = new StringBuilder();
            parts.append(prompt.text());
            return;
        }
        String text = parts == null ? prompt.text() : parts.append(prompt.text()).toString();
        parts = null;
        enqueue(text.isBlank() ? new Refuse("empty prompt") : new Ask(text));
    }

    /** Holds the lock. */
    private void enqueue(Pending request) throws ProtocolException {
        if (pending.size() >= limits.maxPendingPrompts()) {
            throw new ProtocolException(ProtocolException.Kind.TOO_MANY_PENDING,
                    "too many requests waiting: the limit is " + limits.maxPendingPrompts());
        }
        pending.add(request);
        if (!draining) {
            draining = true;
            Thread.ofVirtual().name("answers-" + session.id()).start(this::drain);
        }
    }

    /** The answer thread: answers waiting requests in order, then ends. */
    private void drain() {
        boolean clean = false;
        try {
            while (true) {
                Pending next;
                CompletableFuture<Stop> stop = null;
                lock.lock();
                try {
                    next = closed ? null : pending.poll();
                    if (next == null) {
                        draining = false;
                        idle.signalAll();
                        clean = true;
                        return;
                    }
                    if (next instanceof Ask && shuttingDown) next = new Refuse(SHUTTING_DOWN);
                    if (next instanceof Ask) current = stop = new CompletableFuture<>();
                } finally {
                    lock.unlock();
                }
                switch (next) {
                    case Refuse refuse -> outbound.send(ServerMessage.End.error(refuse.error()));
                    case Skip skip -> outbound.send(ServerMessage.End.ok());
                    case Ask ask -> answer(ask.prompt(), stop);
                }
                lock.lock();
                try {
                    current = null;
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            LOG.log(Level.DEBUG, "session {0}: answer thread interrupted", session.id());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session " + session.id() + ": answer failed", e);
        } finally {
            if (!clean) {
                lock.lock();
                try {
                    draining = false;
                    current = null;
                    pending.clear();
                    idle.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Streams one answer; returns when its end message went out (or the client is gone). */
    private void answer(String prompt, CompletableFuture<Stop> stop) throws InterruptedException {
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
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session " + session.id() + ": engine refused the prompt", e);
            gate.end(ServerMessage.End.error("the engine is not available"));
            return;
        }
        Outcome outcome;
        try (var scope = StructuredTaskScope.open(Joiner.<Outcome>anySuccessfulResultOrThrow())) {
            scope.fork(() -> streamed(reply, done));
            scope.fork(() -> new Stopped(stop.get()));
            outcome = scope.join();
        } catch (StructuredTaskScope.FailedException e) {
            LOG.log(Level.WARNING, "session " + session.id() + ": reply failed", e.getCause());
            reply.cancel();
            gate.end(ServerMessage.End.error("internal error"));
            return;
        } catch (InterruptedException e) {
            reply.cancel();
            gate.close();
            throw e;
        }
        switch (outcome) {
            case Finished finished -> gate.end(endOf(finished.completion()));
            case Stopped stopped -> {
                switch (stopped.stop()) {
                    case GONE -> gate.close();
                    case CANCEL -> gate.end(ServerMessage.End.ok());
                    case SHUTDOWN -> gate.end(ServerMessage.End.error(SHUTTING_DOWN));
                }
                // The session takes no new reply until this one completed (it would be BUSY). After a shutdown or
                // with the client gone no reply follows, so there is nothing to wait for.
                if (stopped.stop() == Stop.CANCEL) awaitCompletion(done);
            }
        }
    }

    /** The streaming subtask: waits for the reply's completion; when the scope is cancelled, cancels the reply. */
    private static Outcome streamed(Reply reply, CompletableFuture<Completion> done)
            throws InterruptedException, ExecutionException {
        try {
            return new Finished(done.get());
        } catch (InterruptedException e) {
            reply.cancel();
            throw e;
        }
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
            case END, MAX_TOKENS -> ServerMessage.End.ok();
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

    @Override
    public boolean isBusy() {
        lock.lock();
        try {
            return draining;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdown() {
        CompletableFuture<Stop> stop;
        lock.lock();
        try {
            if (closed || shuttingDown) return;
            shuttingDown = true;
            parts = null;
            stop = current;
        } finally {
            lock.unlock();
        }
        if (stop != null) stop.complete(Stop.SHUTDOWN);
    }

    @Override
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (draining) {
                if (nanos <= 0) return false;
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        CompletableFuture<Stop> stop;
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            pending.clear();
            parts = null;
            stop = current;
        } finally {
            lock.unlock();
        }
        if (stop != null) stop.complete(Stop.GONE);
        session.close();
    }
}
