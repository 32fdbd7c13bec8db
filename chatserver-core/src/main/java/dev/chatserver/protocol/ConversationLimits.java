package dev.chatserver.protocol;

/**
 * Bounds on what one client may ask of a {@link Conversation}.
 *
 * @param maxPromptChars    longest prompt, in chars, after joining its {@code "eog": false} parts (default 65536)
 * @param maxPendingPrompts prompts that may wait behind the answer in progress (default 64); more closes the
 *                          connection, so a client cannot queue without bound
 */
public record ConversationLimits(int maxPromptChars, int maxPendingPrompts) {

    /** The defaults: prompts up to 64 Ki chars, 64 waiting prompts. */
    public static final ConversationLimits DEFAULTS = new ConversationLimits(JsonObjectStream.DEFAULT_MAX_OBJECT_BYTES, 64);

    /**
     * Checks the values.
     *
     * @param maxPromptChars    positive
     * @param maxPendingPrompts positive
     */
    public ConversationLimits {
        if (maxPromptChars <= 0) throw new IllegalArgumentException("max prompt chars must be positive");
        if (maxPendingPrompts <= 0) throw new IllegalArgumentException("max pending prompts must be positive");
    }
}
