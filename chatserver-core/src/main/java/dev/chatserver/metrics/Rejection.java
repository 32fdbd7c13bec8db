package dev.chatserver.metrics;

import java.util.Locale;

/** Why a request was refused before any answer; the {@code reason} label of {@code chatserver_rejected_total}. */
public enum Rejection {
    /** The engine's queue was full, or the conversation already had a reply in progress. */
    BUSY,
    /** A connection over a server's connection limit. */
    TOO_MANY_CONNECTIONS,
    /** Input that breaks the protocol: malformed JSON, a wrong shape, invalid UTF-8, an empty or too long prompt,
     *  too many prompts waiting. */
    BAD_INPUT,
    /** A message that alone does not fit a conversation's context window. */
    CONTEXT_FULL,
    /** An HTTP request refused for its {@code Host} or {@code Origin} header. */
    FORBIDDEN;

    /** @return the label value: the name in lower case */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
