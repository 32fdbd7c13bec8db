package dev.chatserver.server;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.metrics.ChatMetrics;
import dev.chatserver.metrics.Rejection;
import dev.chatserver.metrics.Transport;
import dev.chatserver.protocol.Conversation;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ServerMessage;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection mode shares: the engine, the limits, the connection slots and connection ids, and the
 * server's entry in the engine's metrics (open connections are the slots taken, read when metrics are scraped).
 * Immutable apart from the thread-safe slot semaphore and id counter.
 */
final class ServerContext {

    /** The logger of every connection mode. */
    static final System.Logger LOG = System.getLogger(ChatServer.class.getPackageName());
    /** Pending connections the kernel may hold (capped by the system's somaxconn). */
    static final int BACKLOG = 4096;

    /** How long answers in progress get to send their "server shutting down" end before connections close. */
    static final Duration SHUTDOWN_GRACE = Duration.ofMillis(2500);
    /** How long {@code close()} waits for connection threads after closing their sockets, before interrupting. */
    static final Duration SHUTDOWN_JOIN = Duration.ofMillis(1500);
    /** After an error that closes the connection, how long unread input is drained so the error is not lost to a
     *  TCP reset. */
    static final Duration LINGER = Duration.ofSeconds(1);
    /** The refusal sent to a connection over the limit. */
    static final byte[] TOO_MANY_CONNECTIONS =
            MessageCodec.encodeLine(ServerMessage.End.error(Conversation.TOO_MANY_CONNECTIONS));

    final ChatEngine engine;
    final ServerLimits limits;
    /** One permit per connection that may be served; taken after accept, given back when the connection closes. */
    final Semaphore slots;
    private final AtomicLong ids = new AtomicLong();
    private final ChatMetrics.Registration tracked;

    ServerContext(ChatEngine engine, ServerLimits limits) {
        this.engine = engine;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxConnections());
        this.tracked = engine.metrics().trackConnections(Transport.TCP,
                () -> limits.maxConnections() - slots.availablePermits());
    }

    /** The server closed (or did not start): its connections no longer count in the metrics. */
    void untrack() {
        tracked.close();
    }

    /** @return the id of a new connection, for log lines: 1, 2, 3... */
    long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * Accept thread: the connection could not be set up after its slot was taken; gives the slot back and closes it.
     *
     * @param connection the accepted socket or channel
     * @param failure    why
     */
    void abandon(Closeable connection, Exception failure) {
        slots.release();
        LOG.log(Level.WARNING, "could not open a connection: {0}", failure.toString());
        try {
            connection.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /**
     * Sends the refusal to a connection over the limit and closes it.
     *
     * @param socket the accepted connection, which holds no slot
     */
    void refuse(Socket socket) {
        engine.metrics().rejected(Rejection.TOO_MANY_CONNECTIONS);
        LOG.log(Level.INFO, "connection from {0} refused: {1}", socket.getRemoteSocketAddress(),
                Conversation.TOO_MANY_CONNECTIONS);
        try (socket) {
            socket.getOutputStream().write(TOO_MANY_CONNECTIONS);
            socket.shutdownOutput();
        } catch (IOException e) {
            // the client left first
        }
    }

    /**
     * At shutdown: ends every answer in progress with "server shutting down" and waits, up to {@link #SHUTDOWN_GRACE}
     * in all, until those ends are handed to the connections.
     *
     * @param conversations the open connections' conversations
     * @throws InterruptedException if the closing thread is interrupted
     */
    static void endAnswers(List<Conversation> conversations) throws InterruptedException {
        conversations.forEach(Conversation::shutdown);
        long graceEnd = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        for (Conversation c : conversations) c.awaitIdle(until(graceEnd));
    }

    /**
     * @param deadlineNanos a {@link System#nanoTime()} deadline
     * @return the time left until it, zero when it has passed
     */
    static Duration until(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }
}
