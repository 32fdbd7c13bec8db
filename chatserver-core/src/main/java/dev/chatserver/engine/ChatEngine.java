package dev.chatserver.engine;

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
