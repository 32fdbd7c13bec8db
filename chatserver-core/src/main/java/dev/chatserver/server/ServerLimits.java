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
 * @param writeTimeout      close a connection whose answer could not be written for this long: its client has read
 *                          nothing meanwhile (default 30 s). A paused answer gives its engine slot to waiting work
 *                          long before that; this frees the connection itself
 * @param sendBufferBytes   the kernel's send buffer of each connection (default 64 KiB; the kernel may double it).
 *                          Set, not grown by the kernel's autotuning (up to megabytes per connection), so a client
 *                          that reads nothing holds little memory and its writes soon wait (see the write timeout)
 */
public record ServerLimits(int maxConnections, int maxMessageBytes, Optional<Duration> idleTimeout,
                           int maxPendingPrompts, int outboundBytes, Duration writeTimeout, int sendBufferBytes) {

    /** The defaults. */
    public static final ServerLimits DEFAULTS = new ServerLimits(10_000, JsonObjectStream.DEFAULT_MAX_OBJECT_BYTES,
            Optional.empty(), ConversationLimits.DEFAULTS.maxPendingPrompts(), 256 * 1024, Duration.ofSeconds(30),
            64 * 1024);

    /**
     * Checks the values.
     *
     * @param maxConnections    positive
     * @param maxMessageBytes   at least 64
     * @param idleTimeout       positive when present
     * @param maxPendingPrompts positive
     * @param outboundBytes     positive
     * @param writeTimeout      positive
     * @param sendBufferBytes   at least 1024
     */
    public ServerLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("write timeout must be positive");
        }
        if (maxConnections <= 0) throw new IllegalArgumentException("max connections must be positive");
        if (maxMessageBytes < 64) throw new IllegalArgumentException("max message bytes must be at least 64");
        if (idleTimeout.map(t -> t.isNegative() || t.isZero()).orElse(false)) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
        if (maxPendingPrompts <= 0) throw new IllegalArgumentException("max pending prompts must be positive");
        if (outboundBytes <= 0) throw new IllegalArgumentException("outbound bytes must be positive");
        if (sendBufferBytes < 1024) throw new IllegalArgumentException("send buffer bytes must be at least 1024");
    }

    /**
     * Changes the connection limit.
     *
     * @param n connections served at once
     * @return a copy with that limit
     */
    public ServerLimits withMaxConnections(int n) {
        return new ServerLimits(n, maxMessageBytes, idleTimeout, maxPendingPrompts, outboundBytes, writeTimeout, sendBufferBytes);
    }

    /**
     * Changes the message size limit.
     *
     * @param bytes largest message
     * @return a copy with that limit
     */
    public ServerLimits withMaxMessageBytes(int bytes) {
        return new ServerLimits(maxConnections, bytes, idleTimeout, maxPendingPrompts, outboundBytes, writeTimeout, sendBufferBytes);
    }

    /**
     * Changes the idle timeout.
     *
     * @param timeout idle time before a connection is closed, or null for never
     * @return a copy with that limit
     */
    public ServerLimits withIdleTimeout(Duration timeout) {
        return new ServerLimits(maxConnections, maxMessageBytes, Optional.ofNullable(timeout), maxPendingPrompts,
                outboundBytes, writeTimeout, sendBufferBytes);
    }

    /**
     * Changes the limit on prompts waiting per connection.
     *
     * @param n prompts one connection may queue
     * @return a copy with that limit
     */
    public ServerLimits withMaxPendingPrompts(int n) {
        return new ServerLimits(maxConnections, maxMessageBytes, idleTimeout, n, outboundBytes, writeTimeout, sendBufferBytes);
    }

    /**
     * Changes the outbound queue bound of the selector mode.
     *
     * @param bytes outbound bytes queued per connection in selector mode
     * @return a copy with that limit
     */
    public ServerLimits withOutboundBytes(int bytes) {
        return new ServerLimits(maxConnections, maxMessageBytes, idleTimeout, maxPendingPrompts, bytes, writeTimeout, sendBufferBytes);
    }

    /**
     * Changes the write timeout.
     *
     * @param timeout how long an answer may wait to be written before its connection is closed
     * @return a copy with that limit
     */
    public ServerLimits withWriteTimeout(Duration timeout) {
        return new ServerLimits(maxConnections, maxMessageBytes, idleTimeout, maxPendingPrompts, outboundBytes,
                timeout, sendBufferBytes);
    }

    /**
     * Changes the send buffer size.
     *
     * @param bytes the kernel's send buffer per connection
     * @return a copy with that size
     */
    public ServerLimits withSendBufferBytes(int bytes) {
        return new ServerLimits(maxConnections, maxMessageBytes, idleTimeout, maxPendingPrompts, outboundBytes,
                writeTimeout, bytes);
    }

    /** @return the limits a connection's conversation gets */
    ConversationLimits conversationLimits() {
        return new ConversationLimits(maxMessageBytes, maxPendingPrompts);
    }
}
