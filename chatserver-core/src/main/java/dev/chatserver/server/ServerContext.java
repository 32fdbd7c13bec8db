package dev.chatserver.server;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection mode shares: the engine, the limits, the connection slots and connection ids. Immutable
 * apart from the thread-safe slot semaphore and id counter.
 */
final class ServerContext {

    /** How long answers in progress get to send their "server shutting down" end before connections close. */
    static final Duration SHUTDOWN_GRACE = Duration.ofMillis(2500);
    /** How long {@code close()} waits for connection threads after closing their sockets, before interrupting. */
    static final Duration SHUTDOWN_JOIN = Duration.ofMillis(1500);
    /** After an error that closes the connection, how long unread input is drained so the error is not lost to a
     *  TCP reset. */
    static final Duration LINGER = Duration.ofSeconds(1);
    /** The refusal sent to a connection over the limit. */
    static final byte[] TOO_MANY_CONNECTIONS =
            MessageCodec.encodeLine(ServerMessage.End.error("too many connections"));

    final ChatEngine engine;
    final ServerLimits limits;
    /** One permit per connection that may be served; taken after accept, given back when the connection closes. */
    final Semaphore slots;
    private final AtomicLong ids = new AtomicLong();

    ServerContext(ChatEngine engine, ServerLimits limits) {
        this.engine = engine;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxConnections());
    }

    /** @return the id of a new connection, for log lines: 1, 2, 3... */
    long nextId() {
        return ids.incrementAndGet();
    }
}
