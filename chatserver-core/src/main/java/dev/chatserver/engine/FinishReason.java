package dev.chatserver.engine;

/** Why a reply ended. Every reply ends exactly once with one of these. */
public enum FinishReason {
    /** The model produced an end-of-generation token. */
    END,
    /** The reply reached the maximum number of tokens per answer. */
    MAX_TOKENS,
    /** Cancelled: {@link Reply#cancel()}, its listener threw, its session closed, or the engine closed. */
    CANCELLED,
    /** The message alone does not fit the context window of a session. */
    CONTEXT_FULL,
    /** The session already has a reply in progress, or the engine's queue is full. */
    BUSY,
    /** Something failed; the completion's message says what. */
    ERROR
}
