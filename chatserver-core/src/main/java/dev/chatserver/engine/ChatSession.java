package dev.chatserver.engine;

import dev.chatserver.llama.ChatMessage;
import java.util.List;

/**
 * One user's conversation with the model. Thread-safe; at most one reply runs at a time.
 */
public interface ChatSession extends AutoCloseable {

    /** @return the id the engine assigned (or the name given to {@link ChatEngine#openSession(String)}) */
    String id();

    /**
     * Sends a user message; the answer streams to the listener.
     *
     * <p>While a reply of this session is in progress, the new one completes at once with {@link FinishReason#BUSY};
     * after {@link #close()} it completes at once with {@link FinishReason#ERROR}.
     *
     * @param text     the user's message
     * @param listener receives the answer's pieces and its completion
     * @return a handle on the reply
     */
    Reply send(String text, ReplyListener listener);

    /** @return the conversation so far: system prompt (if any), then user and assistant messages */
    List<ChatMessage> history();

    /** Cancels a reply in progress and frees this session's KV cache and history. Closing twice is harmless. */
    @Override
    void close();
}
