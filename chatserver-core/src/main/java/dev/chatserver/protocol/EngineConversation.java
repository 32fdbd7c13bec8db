package dev.chatserver.protocol;

import dev.chatserver.engine.ChatSession;
import dev.chatserver.metrics.ChatMetrics;
import dev.chatserver.metrics.Rejection;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Conversation} over one {@link ChatSession}.
 *
 * <p>Threads: the transport's reader calls {@code receive}/{@code reject} (never blocks: it queues and, when no
 * answer thread runs, starts one); the answer thread (a virtual thread that lives while requests wait) answers the
 * queue in order, each prompt with an {@link Answer}; any thread may call {@code close} and {@code shutdown}. The
 * fields below the lock are guarded by it.
 */
final class EngineConversation implements Conversation {

    private static final System.Logger LOG = System.getLogger(EngineConversation.class.getName());
    /**
     * Error replies that may wait unsent; beyond, the client (which sends bad input faster than it reads the
     * answers) is disconnected. Far above any burst a client makes by mistake, so such bursts are all answered.
     */
    static final int MAX_WAITING_ERRORS = 1024;

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

    private final ChatSession session;
    private final Outbound outbound;
    private final ConversationLimits limits;
    /** Counts bad input ({@link Rejection#BAD_INPUT}); the engine counts the replies. */
    private final ChatMetrics metrics;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Prompts in {@link #pending} (its {@link Ask}s): the waiting limit counts these, not error replies. */
    private int waitingPrompts;
    /** Error replies in {@link #pending}, bounded by {@link #MAX_WAITING_ERRORS}. */
    private int waitingErrors;
    /** Parts of a prompt sent with {@code "eog": false}; null when none. */
    private StringBuilder parts;
    /** True while an answer thread runs. */
    private boolean draining;
    /** Completed with the reason to stop the answer in progress; null when none streams. */
    private CompletableFuture<Answer.Stop> current;
    private boolean shuttingDown;
    private boolean closed;

    EngineConversation(ChatSession session, Outbound outbound, ConversationLimits limits, ChatMetrics metrics) {
        this.session = session;
        this.outbound = outbound;
        this.limits = limits;
        this.metrics = metrics;
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
            if (closed) return;
            LOG.log(Level.DEBUG, "session {0}: bad input: {1}", session.id(), problem.getMessage());
            metrics.rejected(Rejection.BAD_INPUT);
            enqueue(new Refuse(problem.getMessage()));
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
            current.complete(Answer.Stop.CANCEL);
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
        if (skipped) {
            waitingPrompts--;
            waitingErrors++;
        }
    }

    /** Holds the lock. */
    private void prompt(ClientMessage.Prompt prompt) throws ProtocolException {
        int sofar = parts == null ? 0 : parts.length();
        if (sofar + prompt.text().length() > limits.maxPromptChars()) {
            parts = null;
            metrics.rejected(Rejection.BAD_INPUT);
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
        if (text.isBlank()) metrics.rejected(Rejection.BAD_INPUT);
        enqueue(text.isBlank() ? new Refuse("empty prompt") : new Ask(text));
    }

    /** Holds the lock. */
    private void enqueue(Pending request) throws ProtocolException {
        if (request instanceof Ask) {
            if (waitingPrompts >= limits.maxPendingPrompts()) {
                metrics.rejected(Rejection.BAD_INPUT);
                throw new ProtocolException(ProtocolException.Kind.TOO_MANY_PENDING,
                        "too many requests waiting: the limit is " + limits.maxPendingPrompts());
            }
            waitingPrompts++;
        } else {
            if (waitingErrors >= MAX_WAITING_ERRORS) {
                metrics.rejected(Rejection.BAD_INPUT);
                throw new ProtocolException(ProtocolException.Kind.TOO_MANY_PENDING,
                        "too many error replies waiting: the limit is " + MAX_WAITING_ERRORS);
            }
            waitingErrors++;
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
                CompletableFuture<Answer.Stop> stop = null;
                lock.lock();
                try {
                    next = closed ? null : pending.poll();
                    if (next instanceof Ask) waitingPrompts--;
                    else if (next != null) waitingErrors--;
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
                    case Ask ask -> new Answer(session, outbound).run(ask.prompt(), stop);
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
                    waitingPrompts = 0;
                    waitingErrors = 0;
                    idle.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
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
        CompletableFuture<Answer.Stop> stop;
        lock.lock();
        try {
            if (closed || shuttingDown) return;
            shuttingDown = true;
            parts = null;
            stop = current;
        } finally {
            lock.unlock();
        }
        if (stop != null) stop.complete(Answer.Stop.SHUTDOWN);
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
        CompletableFuture<Answer.Stop> stop;
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            pending.clear();
            waitingPrompts = 0;
            waitingErrors = 0;
            parts = null;
            stop = current;
        } finally {
            lock.unlock();
        }
        if (stop != null) stop.complete(Answer.Stop.GONE);
        session.close();
    }
}
