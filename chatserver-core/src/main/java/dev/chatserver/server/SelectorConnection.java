package dev.chatserver.server;

import dev.chatserver.protocol.Conversation;
import dev.chatserver.protocol.JsonObjectStream;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection of the {@link SelectorChatServer}: non-blocking reads and writes on the selector thread, an
 * outbound queue filled by the conversation's threads through the connection's {@link MessagePacer}.
 *
 * <p>Threads: everything but {@link #send} runs on the selector thread. {@link #send} runs on the conversation's
 * threads; it blocks while more than {@link ServerLimits#outboundBytes()} wait for a client that does not read, so
 * memory stays bounded and only that client's reply pauses. The queue fields are guarded by the lock.
 *
 * <p>After a half-close (or an HTTP request after prompts) no more input is read; the prompts received are answered
 * and the connection closes once the last answer is written. Output that waits longer than
 * {@link ServerLimits#writeTimeout()} closes the connection.
 */
final class SelectorConnection {

    private static final System.Logger LOG = ServerContext.LOG;

    private final long id;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final SelectorChatServer server;
    private final ServerContext context;
    private final JsonObjectStream stream;
    private final Conversation conversation;
    private final MessagePacer pacer;
    private final JsonObjectStream.Sink sink;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
    private long outboundBytes;
    private final WriteStall stall = new WriteStall();
    private boolean closed;
    /** After a fatal error: the error is the last message, whatever a reply still tries to send. */
    private boolean sealed;

    /** Selector thread only. */
    private boolean closeAfterFlush;
    /** Selector thread only: the server is closing; close once the queue is written. */
    private boolean shuttingDown;
    /** Selector thread only: after an error that closes the connection, input is drained until this time. */
    private long lingerUntil;
    /** Selector thread only: no more prompts come; close once the received ones are answered and written. */
    private boolean inputEnded;
    /** Selector thread only: System.nanoTime() of the last input, for the idle timeout. */
    private long lastInput = System.nanoTime();
    private String closeReason;

    SelectorConnection(long id, SocketChannel channel, SelectionKey key, SelectorChatServer server,
                       ServerContext context) {
        this.id = id;
        this.channel = channel;
        this.key = key;
        this.server = server;
        this.context = context;
        this.stream = JsonObjectStream.create(context.limits.maxMessageBytes());
        this.pacer = context.pacer(this::send, id);
        this.conversation = Conversation.open(context.engine, pacer, context.limits.conversationLimits());
        this.sink = conversation.sink();
        LOG.log(Level.INFO, "connection {0} from {1} opened (session {2})", Long.toString(id), remote(),
                conversation.sessionId());
    }

    Conversation conversation() {
        return conversation;
    }

    private String remote() {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    /** The conversation's outbound. Never throws; drops the message when the connection is closed. */
    private void send(ServerMessage message) {
        ByteBuffer line = ByteBuffer.wrap(MessageCodec.encodeLine(message));
        boolean wasEmpty;
        lock.lock();
        try {
            while (!closed && outboundBytes > 0 && outboundBytes + line.remaining() > context.limits.outboundBytes()) {
                drained.awaitUninterruptibly();
            }
            if (closed || sealed) return;
            wasEmpty = outbound.isEmpty();
            if (wasEmpty) stall.waiting();
            outbound.add(line);
            outboundBytes += line.remaining();
        } finally {
            lock.unlock();
        }
        if (wasEmpty) server.wantsWrite(this);
        if (context.messageInterval.isPositive()) awaitWritten(line);
    }

    /**
     * The paced writer's thread: waits until the selector has written the message, so that the pacer's interval
     * runs between writes on the socket, not between hand-overs to the queue (a busy selector thread would
     * otherwise write two of them back to back).
     */
    private void awaitWritten(ByteBuffer line) {
        lock.lock();
        try {
            while (!closed && line.hasRemaining()) drained.awaitUninterruptibly(); // the selector moves its position
        } finally {
            lock.unlock();
        }
    }

    /** Selector thread: input is ready. */
    void onReadable(ByteBuffer buffer) {
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            close("client gone (" + e.getMessage() + ")");
            return;
        }
        if (n < 0) {
            if (lingerUntil != 0) close(closeReason);
            else endInput("client closed");
            return;
        }
        lastInput = System.nanoTime();
        if (lingerUntil != 0 || closeAfterFlush) return; // input after a fatal error is discarded
        buffer.flip();
        try {
            stream.feed(buffer, sink);
        } catch (ProtocolException fatal) {
            if (fatal.kind() == ProtocolException.Kind.HTTP_REQUEST) endInput("HTTP request refused");
            else failWith(fatal.getMessage());
        }
    }

    /** Selector thread: no more input; closes now, or once the prompts received are answered. */
    private void endInput(String reason) {
        closeReason = reason;
        inputEnded = true;
        if (key.isValid()) key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        closeIfAnswered();
    }

    /** Selector thread: after the input ended, closes when no answer is left to produce or to write. */
    private void closeIfAnswered() {
        if (!inputEnded || conversation.isBusy()) return;
        if (outboundEmpty()) close(closeReason);
    }

    private boolean outboundEmpty() {
        lock.lock();
        try {
            return outbound.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Selector thread: ends the conversation, queues the error (past the bound) and closes once it is written. */
    void failWith(String error) {
        conversation.close();
        closeReason = error;
        ByteBuffer line = ByteBuffer.wrap(MessageCodec.encodeLine(ServerMessage.End.error(error)));
        lock.lock();
        try {
            sealed = true;
            outbound.add(line);
            outboundBytes += line.remaining();
        } finally {
            lock.unlock();
        }
        closeAfterFlush = true;
        onWritable();
    }

    /** Selector thread: writes what is queued, one message per write call, until the socket would block. */
    void onWritable() {
        if (!key.isValid()) return;
        boolean empty;
        IOException failure = null;
        lock.lock();
        try {
            ByteBuffer head;
            long total = 0;
            while ((head = outbound.peek()) != null) {
                int written = channel.write(head);
                outboundBytes -= written;
                total += written;
                if (head.hasRemaining()) break;
                outbound.poll();
            }
            if (outbound.isEmpty()) stall.done();
            else if (total > 0) stall.waiting();
            drained.signalAll();
        } catch (IOException e) {
            failure = e;
        } finally {
            empty = outbound.isEmpty();
            lock.unlock();
        }
        if (failure != null) {
            close("client gone (" + failure.getMessage() + ")");
            return;
        }
        if (!empty) {
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            return;
        }
        key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
        if (shuttingDown) close(closeReason);
        else if (closeAfterFlush && lingerUntil == 0) startLinger();
        else closeIfAnswered();
    }

    /** Selector thread: the error is out; half-close and drain input briefly so a TCP reset cannot eat it. */
    private void startLinger() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            close(closeReason);
            return;
        }
        lingerUntil = Math.max(1, System.nanoTime() + ServerContext.LINGER.toNanos());
    }

    /** Selector thread, periodically: ends lingering and idle connections. */
    void checkTimers(long now) {
        if (lingerUntil != 0) {
            if (now - lingerUntil > 0) close(closeReason);
            return;
        }
        if (closeAfterFlush || shuttingDown) return;
        if (stall.exceeded(now, context.limits.writeTimeout())) {
            LOG.log(Level.INFO, "connection {0}: write timeout, the client read nothing for {1} s", Long.toString(id),
                    context.limits.writeTimeout().toSeconds());
            close("write timeout");
            return;
        }
        closeIfAnswered();
        if (inputEnded) return;
        context.limits.idleTimeout().ifPresent(timeout -> {
            if (now - lastInput > timeout.toNanos() && !conversation.isBusy()) failWith("idle timeout");
        });
    }

    /** Selector thread, at shutdown: closes once the queued messages are written. */
    void closeWhenFlushed() {
        if (closeReason == null) closeReason = "server shutting down";
        shuttingDown = true;
        if (outboundEmpty()) close(closeReason);
    }

    /** Selector thread: closes the channel, the conversation and gives the slot back. Closing twice is harmless. */
    void close(String reason) {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            pacer.close();
            outbound.clear();
            outboundBytes = 0;
            drained.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            key.cancel();
            channel.close();
            conversation.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "connection {0}: close failed: {1}", Long.toString(id), e.toString());
        } finally {
            server.forget(this);
            context.slots.release();
        }
        LOG.log(Level.INFO, "connection {0} closed: {1}", Long.toString(id), reason);
    }
}
