package dev.chatserver.engine;

import java.util.Objects;

/**
 * How a reply ended.
 *
 * @param reason  why it ended
 * @param message a human-readable reason for {@code BUSY}, {@code ERROR} and {@code CONTEXT_FULL}; empty otherwise
 * @param stats   the reply's figures
 */
public record Completion(FinishReason reason, String message, ReplyStats stats) {

    /**
     * Checks the parts.
     *
     * @param reason  why it ended
     * @param message the reason in words, or empty
     * @param stats   the figures
     */
    public Completion {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(stats, "stats");
    }

    /** @return true when the answer ran to its natural end or its token limit */
    public boolean isSuccess() {
        return reason == FinishReason.END || reason == FinishReason.MAX_TOKENS;
    }
}
