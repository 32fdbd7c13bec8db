package dev.chatserver.engine;

import dev.chatserver.llama.ChatMessage;
import java.util.List;
import dev.chatserver.metrics.ChatMetrics;

/**
 * Serves one model to many conversations at once: one platform thread owns the llama.cpp context and decodes
 * the next token of every generating session together in one batch. Every method may be called from any thread;
 * none of them waits for the engine thread except {@link #close()}.
 */
public interface ChatEngine extends AutoCloseable {

    /**
     * Loads the model and starts the engine thread.
     *
     * @param config the model and the limits
     * @return a running engine
     * @throws dev.chatserver.llama.ModelLoadException if the model cannot be loaded
     */
    static ChatEngine create(EngineConfig config) {
        return LlamaChatEngine.start(config);
    }

    /**
     * Loads the model and starts the engine thread, counting into the given metrics: replies ended, tokens, time to
     * first token, decode steps, and (sampled when scraped) queue length, active replies and KV cells. Servers built
     * on this engine count their connections and refusals into the same metrics ({@link #metrics()}).
     *
     * @param config  the model and the limits
     * @param metrics where to count; the caller closes it after the engine
     * @return a running engine
     * @throws dev.chatserver.llama.ModelLoadException if the model cannot be loaded
     */
    static ChatEngine create(EngineConfig config, ChatMetrics metrics) {
        return LlamaChatEngine.start(config, metrics);
    }

    /** @return a new session with an engine-assigned id that never collides */
    ChatSession openSession();

    /**
     * Opens a session keyed by the application's own name.
     *
     * @param name the name
     * @return the session
     * @throws SessionNameInUseException if an open session has that name
     */
    ChatSession openSession(String name);

    /**
     * Answers a whole conversation without a session: the stateless form of a chat request, as HTTP APIs receive
     * it. The messages are formatted and tokenized whole, as the first message of a fresh session would be, so the
     * answer never depends on what other requests did; but the request runs in the slot whose cached tokens share the
     * longest prefix with its prompt (a previous request of the same conversation, with its answer), and only the
     * rest is decoded. {@link ReplyStats#cachedTokens()} says how many prompt tokens were reused. Such caches are
     * evicted by the same least-recently-used rule as idle sessions. Nothing is dropped to make the conversation fit:
     * one that leaves no room for an answer completes with {@link FinishReason#CONTEXT_FULL}.
     *
     * @param messages the conversation (system, user and assistant messages), normally ending with a user message;
     *                 not empty
     * @param options  this request's sampling and answer length
     * @param listener receives the answer's pieces and its completion
     * @return a handle on the reply; it shares the engine's queue and its {@code BUSY} limit with sessions
     */
    Reply complete(List<ChatMessage> messages, RequestOptions options, ReplyListener listener);

    /** @return what the engine serves */
    EngineInfo info();

    /** @return a snapshot of the engine's load */
    EngineStats stats();

    /**
     * @return true while the engine thread runs and takes messages; false once it was closed or failed (every
     *         message is then refused). The default, for engines that cannot stop on their own, is true.
     */
    default boolean isRunning() {
        return true;
    }

    /**
     * @return the metrics the engine counts into ({@link ChatMetrics#none()} unless given to
     *         {@link #create(EngineConfig, ChatMetrics)}); servers on this engine count into them too. The
     *         default counts nothing.
     */
    default ChatMetrics metrics() {
        return ChatMetrics.none();
    }

    /** Ends every reply in flight with {@code CANCELLED}, stops the engine thread and frees native memory. */
    @Override
    void close();
}
