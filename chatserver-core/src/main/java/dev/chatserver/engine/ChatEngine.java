package dev.chatserver.engine;

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

    /** Ends every reply in flight with {@code CANCELLED}, stops the engine thread and frees native memory. */
    @Override
    void close();
}
