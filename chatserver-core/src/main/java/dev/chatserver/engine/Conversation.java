package dev.chatserver.engine;

import dev.chatserver.llama.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine-side state of one session: its messages, the tokens that spell them, and what of that is in the KV
 * cache. Mutated only by the engine thread.
 *
 * <p>Invariant: {@link #kv} is exactly the token list stored in KV sequence {@link #slot} at positions
 * {@code 0 .. kv.size()-1} (empty when not resident). It is always a decoding of tokens chosen from
 * {@link #tokens} or a prompt built from them, so decoding the same token list again after an eviction restores
 * the same state as if the session had never been evicted.
 */
final class Conversation {

    /** Committed messages: the system prompt (if any), then user/assistant pairs of completed replies. */
    final List<ChatMessage> messages = new ArrayList<>();
    /** Tokens of the committed conversation, in order; the answers' tokens exactly as sampled. */
    int[] tokens = new int[0];
    /** The formatted text those tokens spell: template output up to the assistant header, plus the answer. */
    String coveredText = "";
    /** Tokens in this session's KV sequence, positions 0..size-1. */
    final TokenList kv = new TokenList();
    /** The slot (KV sequence id) holding this session's cache, or -1 when not resident. */
    int slot = -1;
    /** Engine step at which this session last used its slot; the least recent idle one is evicted first. */
    long lastUsed;
    /**
     * The session's last ended reply, and {@link System#nanoTime()} when it ended; null before the first. While
     * its listener has not taken it whole, the client may have stopped reading ({@link Suspensions#stalled}).
     */
    ReplyHandle lastReply;
    long lastEndedNanos;
    /** Set when the session closes; no further replies start. */
    boolean closed;
    /**
     * True for the cache of stateless requests ({@link ChatEngine#complete}): only {@link #kv} matters, no messages
     * are committed, and the state is dropped when its slot is evicted.
     */
    final boolean stateless;

    Conversation(List<ChatMessage> initial) {
        this(initial, false);
    }

    Conversation(List<ChatMessage> initial, boolean stateless) {
        messages.addAll(initial);
        this.stateless = stateless;
    }
}
