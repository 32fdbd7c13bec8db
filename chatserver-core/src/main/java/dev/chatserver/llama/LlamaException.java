package dev.chatserver.llama;

/**
 * A llama.cpp call failed: a decode error, a context that could not be created, a model that could not be loaded.
 */
public class LlamaException extends RuntimeException {

    /**
     * @param message what failed and why
     */
    public LlamaException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why
     * @param cause   the underlying failure
     */
    public LlamaException(String message, Throwable cause) {
        super(message, cause);
    }
}
