package dev.chatserver.server;

import dev.chatserver.protocol.Conversation;
import dev.chatserver.protocol.JsonObjectStream;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection served with blocking I/O: its own thread (virtual or platform) reads and feeds the
 * {@link Conversation}; the conversation's threads write answers through the connection's {@link MessagePacer}, whose
 * writer hands them to {@link #send}: one whole message per write call under the write lock.
 *
 * <p>A client that closes its sending side (half-close) sends no more prompts: those received are answered, then the
 * connection closes. A write that fails (the client is really gone) closes the conversation, which cancels its
 * answer; a write that waits longer than {@link ServerLimits#writeTimeout()} closes the connection
 * ({@link #checkWrite}, called by the server's write watch).
 *
 * <p>The reader is never interrupted by an answer's scope (interrupting a virtual thread blocked in a socket read
 * would close the socket): answers watch the connection through the conversation, which the reader closes when
 * the client leaves.
 */
final class BlockingConnection {

    private static final System.Logger LOG = ServerContext.LOG;

    private final long id;
    private final Socket socket;
    private final ServerContext context;
    private final OutputStream out;
    private final Conversation conversation;
    private final MessagePacer pacer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final WriteStall stall = new WriteStall();
    private volatile String closeReason;
    /** After a fatal error: the error is the last message, whatever a reply still tries to send. Write lock. */
    private boolean sealed;
    private volatile Thread thread;

    /** Runs on the accepting thread: opens the engine session. */
    BlockingConnection(long id, Socket socket, ServerContext context) throws IOException {
        this.id = id;
        this.socket = socket;
        this.context = context;
        socket.setTcpNoDelay(true);
        socket.setSendBufferSize(context.limits.sendBufferBytes());
        this.out = socket.getOutputStream();
        this.pacer = context.pacer(this::send, id);
        this.conversation = Conversation.open(context.engine, pacer, context.limits.conversationLimits());
    }

    Conversation conversation() {
        return conversation;
    }

    /**
     * Starts the connection's thread. The connection's slot is given back when the thread ends.
     *
     * @param threads makes the thread
     * @param onExit  runs last on the connection's thread
     */
    void start(Thread.Builder threads, Runnable onExit) {
        thread = threads.name("chat-connection-" + id).start(() -> run(onExit));
    }

    private void run(Runnable onExit) {
        String reason = "closed";
        try {
            LOG.log(Level.INFO, "connection {0} from {1} opened (session {2})", Long.toString(id),
                    socket.getRemoteSocketAddress(), conversation.sessionId());
            reason = serve();
        } catch (IOException e) {
            reason = closeReason != null ? closeReason : "client gone (" + e.getMessage() + ")";
        } catch (RuntimeException e) {
            reason = "failed";
            LOG.log(Level.WARNING, "connection " + id + " failed", e);
        } finally {
            try {
                conversation.close();
                closeSocket(null);
                onExit.run();
            } finally {
                context.slots.release();
            }
            LOG.log(Level.INFO, "connection {0} closed: {1}", Long.toString(id), reason);
        }
    }

    /** Reads until the client leaves or breaks the protocol; returns why the connection ends. */
    private String serve() throws IOException {
        JsonObjectStream stream = JsonObjectStream.create(context.limits.maxMessageBytes());
        JsonObjectStream.Sink sink = conversation.sink();
        InputStream in = socket.getInputStream();
        Duration idle = context.limits.idleTimeout().orElse(Duration.ZERO);
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(idle.toMillis(), idle.isZero() ? 0 : 1)));
        byte[] buffer = new byte[8192];
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                if (conversation.isBusy()) continue;
                failWith("idle timeout");
                return "idle timeout";
            }
            if (n < 0) {
                if (closeReason != null) return closeReason;
                return answerReceived() ? "client closed" : "client gone before its answers";
            }
            try {
                stream.feed(ByteBuffer.wrap(buffer, 0, n), sink);
            } catch (ProtocolException fatal) {
                if (fatal.kind() == ProtocolException.Kind.HTTP_REQUEST) {
                    answerReceived();
                    return "HTTP request refused";
                }
                failWith(fatal.getMessage());
                return fatal.getMessage();
            }
        }
    }

    /**
     * No more prompts come (the client half-closed, or sent an HTTP request after them): waits until those received
     * are answered, or the connection closed (a failed write, the write timeout, shutdown).
     *
     * @return false if the connection closed first
     */
    private boolean answerReceived() {
        try {
            while (!socket.isClosed()) {
                if (conversation.awaitIdle(Duration.ofSeconds(1))) return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Ends the conversation, sends the error, then drains unread input briefly so a reset does not eat it. */
    private void failWith(String error) {
        conversation.close();
        pacer.awaitInterval();
        // A reply's write may still be blocked on a client that does not read: then the error cannot go out.
        try {
            if (writeLock.tryLock(ServerContext.LINGER.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    sealed = true;
                    out.write(MessageCodec.encodeLine(ServerMessage.End.error(error)));
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (IOException e) {
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            socket.shutdownOutput();
            socket.setSoTimeout((int) ServerContext.LINGER.toMillis());
            long end = System.nanoTime() + ServerContext.LINGER.toNanos();
            byte[] sink = new byte[8192];
            InputStream in = socket.getInputStream();
            while (System.nanoTime() < end && in.read(sink) >= 0) {
                // discard what the client still sends
            }
        } catch (IOException e) {
            // gone already: nothing left to protect
        }
    }

    /** The conversation's outbound: one message per write call. Never throws; a failed write closes the socket. */
    private void send(ServerMessage message) {
        byte[] line = MessageCodec.encodeLine(message);
        writeLock.lock();
        try {
            stall.waiting();
            if (!sealed && !socket.isClosed()) out.write(line);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "connection {0}: write failed, client gone: {1}", Long.toString(id), e.getMessage());
            closeSocket("client gone");
            conversation.close(); // cancels the answer now, not at the reader's next read
        } finally {
            stall.done();
            writeLock.unlock();
        }
    }

    /**
     * The write watch's check (its thread): closes the connection when a write has waited longer than the timeout.
     *
     * @param now {@link System#nanoTime()}
     */
    void checkWrite(long now) {
        Duration timeout = context.limits.writeTimeout();
        if (!stall.exceeded(now, timeout) || socket.isClosed()) return;
        LOG.log(Level.INFO, "connection {0}: write timeout, the client read nothing for {1} s", Long.toString(id),
                timeout.toSeconds());
        closeSocket("write timeout");
        conversation.close();
    }

    /**
     * Closes the socket, which ends the reader's blocking read. Any thread.
     *
     * @param reason why, for the log line; null keeps an earlier reason
     */
    void closeSocket(String reason) {
        if (reason != null && closeReason == null) closeReason = reason;
        pacer.close();
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "connection {0}: close failed: {1}", Long.toString(id), e.getMessage());
        }
    }

    /** @return true when the connection's thread ended within the time */
    boolean join(Duration timeout) throws InterruptedException {
        Thread t = thread;
        return t == null || t.join(timeout);
    }

    void interrupt() {
        Thread t = thread;
        if (t != null) t.interrupt();
    }
}
