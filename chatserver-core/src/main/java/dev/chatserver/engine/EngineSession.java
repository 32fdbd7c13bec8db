package dev.chatserver.engine;

import dev.chatserver.llama.ChatMessage;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link ChatSession} of a {@link LlamaChatEngine}. Callable from any thread; its {@link Conversation} belongs to
 * the engine thread, and {@link #history()} reads a snapshot the engine thread publishes after each reply.
 */
final class EngineSession implements ChatSession {

    private final String id;
    private final LlamaChatEngine engine;
    private final Conversation conversation;
    /** The reply in progress, or null: at most one at a time. */
    private final AtomicReference<ReplyHandle> current = new AtomicReference<>();
    private volatile List<ChatMessage> history;
    private volatile boolean closed;

    EngineSession(String id, LlamaChatEngine engine, List<ChatMessage> initial) {
        this.id = id;
        this.engine = engine;
        this.conversation = new Conversation(initial);
        this.history = List.copyOf(initial);
    }

    @Override
    public String id() {
        return id;
    }

    LlamaChatEngine engine() {
        return engine;
    }

    /** @return the engine-side state; only the engine thread may touch it */
    Conversation conversation() {
        return conversation;
    }

    @Override
    public Reply send(String text, ReplyListener listener) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(listener, "listener");
        ReplyHandle reply = new ReplyHandle(this, text, listener, engine.config().bufferPieces(), engine::wake);
        if (closed) {
            reply.finish(FinishReason.ERROR, "session " + id + " is closed", ReplyStats.NONE);
        } else if (!current.compareAndSet(null, reply)) {
            reply.finish(FinishReason.BUSY, "session " + id + " is still answering the previous message",
                    ReplyStats.NONE);
        } else if (!engine.submit(reply)) {
            engine.refuseClosed(reply);
        }
        return reply;
    }

    /** Called when a reply ended, from whichever thread ended it; frees the session for its next message. */
    void replyEnded(ReplyHandle reply) {
        current.compareAndSet(reply, null);
    }

    /** @param messages the committed conversation (engine thread, after a reply) */
    void publishHistory(List<ChatMessage> messages) {
        if (closed) return;
        this.history = List.copyOf(messages);
    }

    @Override
    public List<ChatMessage> history() {
        return history;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        history = List.of();
        engine.closeSession(this);
    }
}
