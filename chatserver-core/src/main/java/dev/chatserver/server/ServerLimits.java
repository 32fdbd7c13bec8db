package dev.chatserver.server;

import dev.chatserver.protocol.ConversationLimits;
import dev.chatserver.protocol.JsonObjectStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Bounds that keep one client from hurting the others.
 *
 * @param maxConnections    connections served at once (default 10000); one more gets an error message and is closed.
 *                          Each costs a file descriptor, an engine session and (in the blocking modes) a thread
 * @param maxMessageBytes   largest client message in bytes of UTF-8 (default 64 KiB); a bigger one gets an error
 *                          and the connection is closed. Also bounds a prompt joined from {@code "eog": false} parts
 *                          (in chars)
 * @param idleTimeout       close a connection that has sent nothing for this long and has no answer in progress
 *                          (it gets an "idle timeout" error first); empty (the default) for never, since silent
 *                          clients are legitimate
 * @param maxPendingPrompts prompts one connection may queue behind the answer in progress (default 64)
 * @param outboundBytes     bytes of answer the selector mode queues for a client that reads slowly before that
 *                          client's reply pauses (default 256 KiB)
 */
public record ServerLimits(int maxConnections, int maxMessageBytes, Optional<Duration> idleTimeout,
                           int maxPendingPrompts, int outboundBytes) {

    /** The defaults. */
    public static final ServerLimits DEFAULTS = new ServerLimits(10_000, JsonObjectStream.DEFAULT_MAX_OBJECT_BYTES,
            Optional.empty(), 64, 256 * 1024);

    /**
     * Checks the values.
     *
     * @param maxConnections    positive
     * @param maxMessageBytes   at least 64
     * @param idleTimeout       positive when present
     * @param maxPendingPrompts positive
     * @param outboundBytes     positive
     */
    public ServerLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxConnections <= 0) throw new IllegalArgumentException("max connections must be positive");
        if (maxMessageBytes < 64) throw new IllegalArgumentException("max message bytes must be at least 64");
        if (idleTimeout.map(t -> t.isNegative() || t.isZero()).orElse(false)) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
        if (maxPendingPrompts <= 0) throw new IllegalArgumentException("max pending prompts must be positive");
        if (outboundBytes <= 0) throw new IllegalArgumentException("outbound bytes must be positive");
    }

    /**
     * Changes the connection limit.
     *
     * @param n connections served at once
     * @return a copy with that limit
     */
    public ServerLimits withMaxConnections(int n) {
        return new ServerLimits(n, maxMessageBytes, idleTimeout, maxPendingPrompts, outboundBytes);
    }

    /**
     * Changes the message size limit.
     *
     * @param bytes largest message
     * @return a copy with that limit
     */
    public ServerLimits withMaxMessageBytes(int bytes) {
        return new ServerLimits(maxConnections, bytes, idleTimeout, maxPendingPrompts, outboundBytes);
    }

    /**
     * Changes the idle timeout.
     *
     * @param timeout idle time before a connection is closed, or null for never
     * @return a copy with that limit
     */
    public ServerLimits withIdleTimeout(Duration timeout) {
        return new ServerLimits(maxConnections, maxMessageBytes, Optional.ofNullable(timeout), maxPendingPrompts,
                outboundBytes);
    }

    /**
     * Changes the limit on prompts waiting per connection.
     *
     * @param n prompts one connection may queue
     * @return a copy with that limit
     */
    public ServerLimits withMaxPendingPrompts(int n) {
        return new ServerLimits(maxConnections, maxMessageBytes, idleTimeout, n, outboundBytes);
    }

    /**
     * Changes the outbound queue bound of the selector mode.
     *
     * @param bytes outbound bytes queued per connection in selector mode
     * @return a copy with that limit
     */
    public ServerLimits withOutboundBytes(int bytes) {
        return new ServerLimits(maxConnections, maxMessageBytes, idleTimeout, maxPendingPrompts, bytes);
    }

    /** @return the limits a connection's conversation gets */
    ConversationLimits conversationLimits() {
        return new ConversationLimits(maxMessageBytes, maxPendingPrompts);
    }
}
