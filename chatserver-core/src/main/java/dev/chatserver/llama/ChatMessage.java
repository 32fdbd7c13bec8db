package dev.chatserver.llama;

import java.util.Objects;

/**
 * One message of a conversation, as a chat template formats it.
 *
 * @param role    {@code "system"}, {@code "user"} or {@code "assistant"}
 * @param content the message text
 */
public record ChatMessage(String role, String content) {

    /** The role of a system prompt. */
    public static final String SYSTEM = "system";
    /** The role of the person chatting. */
    public static final String USER = "user";
    /** The role of the model's answers. */
    public static final String ASSISTANT = "assistant";

    /**
     * Checks that neither part is null.
     *
     * @param role    the role
     * @param content the text
     */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
