package dev.chatserver.server;

import dev.chatserver.protocol.Outbound;
import dev.chatserver.protocol.ServerMessage;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Paces one TCP connection's messages, so that a peer that parses whatever one read returns (the SocketLab's
 * clients: {@code recv(1024)} then {@code json.loads}, no framing) never finds two messages in one read: successive
 * writes are at least the interval apart, pieces produced in between are merged into the next piece (the text the
 * client assembles is unchanged; pieces are whole characters, so a merged one is too), and an end message is always
 * a write of its own, after the interval. A merged piece stays within {@value #MAX_LINE_BYTES} bytes on the wire, so
 * it fits one 1024-byte read.
 *
 * <p>Pacing never delays the engine: {@link #send} queues a piece and returns at once (it blocks only while more than
 * the bound waits for a client that does not read, as the unpaced connection's write would). Only the pacer's
 * writer waits: a virtual thread, started when a message waits and ending when none does, which hands one message
 * at a time to the connection's own one-message-one-write outbound. {@link #send} of an end message returns once
 * that message is written (or the connection closed), as the unpaced outbound does, so that a conversation that
 * reports itself idle has its ends on the wire.
 *
 * <p>Threads: {@link #send} runs on the conversation's threads (pieces on the reply's delivery thread, ends on the
 * answer thread); the writer thread writes; {@link #close} and {@link #awaitInterval} run on the connection's
 * threads. The fields below the lock are guarded by it.
 */
final class MessagePacer implements Outbound {

    private static final System.Logger LOG = ServerContext.LOG;
    /** The largest merged piece on the wire, newline included: one read of the lab's {@code recv(1024)}. */
    static final int MAX_LINE_BYTES = 1024;
    /** {@code {"token":"","eog":false}} and the newline around a piece's text. */
    private static final int PIECE_OVERHEAD_BYTES = 26;

    /** One message waiting: the text of pieces merged so far, or an end message. Guarded by the pacer's lock. */
    private static final class Item {
        final StringBuilder text;
        final ServerMessage.End end;
        /** Encoded bytes of the text (JSON escapes counted), for the line bound and the queue bound. */
        int bytes;

        Item(StringBuilder text, ServerMessage.End end) {
            this.text = text;
            this.end = end;
        }

        ServerMessage message() {
            return end != null ? end : new ServerMessage.Piece(text.toString());
        }
    }

    private final Outbound wire;
    private final long intervalNanos;
    private final long maxQueuedBytes;
    private final String name;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a write finished or the pacer closed. */
    private final Condition progress = lock.newCondition();
    /** Signalled when the pacer closed, to end the writer's wait early. */
    private final Condition closing = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** {@link System#nanoTime()} when the last write returned. */
    private long lastWrite;
    private boolean writerRunning;
    private boolean closed;
    /** End messages queued and written so far: an end's sender waits until its number is written. */
    private long endsQueued;
    private long endsWritten;

    private MessagePacer(Outbound wire, Duration interval, long maxQueuedBytes, String name) {
        this.wire = wire;
        this.intervalNanos = interval.toNanos();
        this.maxQueuedBytes = maxQueuedBytes;
        this.name = name;
        this.lastWrite = System.nanoTime() - intervalNanos;
    }

    /**
     * Paces a connection's outbound.
     *
     * @param wire           writes one message with one write call; never throws
     * @param interval       the least time between two writes; zero for no pacing
     * @param maxQueuedBytes bytes of text that may wait for a client that does not read before {@link #send} blocks
     * @param name           the connection, for the writer thread's name and log lines
     * @return the paced outbound; with a zero interval, a pacer that passes every message straight on
     */
    static MessagePacer pace(Outbound wire, Duration interval, long maxQueuedBytes, String name) {
        return new MessagePacer(wire, interval, maxQueuedBytes, name);
    }

    @Override
    public void send(ServerMessage message) {
        if (intervalNanos == 0) {
            wire.send(message);
            return;
        }
        switch (message) {
            case ServerMessage.Piece piece -> queuePiece(piece.token());
            case ServerMessage.End end -> queueEndAndWait(end);
        }
    }

    private void queuePiece(String text) {
        int bytes = jsonBytes(text);
        lock.lock();
        try {
            while (!closed && queuedBytes > 0 && queuedBytes + bytes > maxQueuedBytes) {
                progress.awaitUninterruptibly();
            }
            if (closed) return;
            Item tail = queue.peekLast();
            if (tail == null || tail.end != null || tail.bytes + bytes + PIECE_OVERHEAD_BYTES > MAX_LINE_BYTES) {
                tail = new Item(new StringBuilder(), null);
                queue.add(tail);
            }
            tail.text.append(text);
            tail.bytes += bytes;
            queuedBytes += bytes;
            startWriter();
        } finally {
            lock.unlock();
        }
    }

    private void queueEndAndWait(ServerMessage.End end) {
        lock.lock();
        try {
            if (closed) return;
            queue.add(new Item(null, end));
            long number = ++endsQueued;
            startWriter();
            while (!closed && endsWritten < number) {
                try {
                    progress.await();
                } catch (InterruptedException e) {
                    // The message stays queued and goes out in turn; the caller learns of the interrupt.
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Holds the lock. */
    private void startWriter() {
        if (writerRunning) return;
        writerRunning = true;
        try {
            Thread.ofVirtual().name("paced-writer-" + name).start(this::write);
        } catch (RuntimeException | OutOfMemoryError e) {
            writerRunning = false;
            throw e;
        }
    }

    /** The writer thread: writes waiting messages one at a time, each at least the interval after the last. */
    private void write() {
        try {
            while (true) {
                Item item;
                lock.lock();
                try {
                    while (true) {
                        if (closed || queue.isEmpty()) {
                            writerRunning = false;
                            return;
                        }
                        long wait = lastWrite + intervalNanos - System.nanoTime();
                        if (wait <= 0) break;
                        // Pieces queued meanwhile merge into the head, which is why the wait is here, not a sleep.
                        closing.awaitNanos(wait);
                    }
                    item = queue.poll();
                    queuedBytes -= item.bytes;
                } finally {
                    lock.unlock();
                }
                wire.send(item.message());
                lock.lock();
                try {
                    lastWrite = System.nanoTime();
                    if (item.end != null) endsWritten++;
                    progress.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            LOG.log(Level.DEBUG, "connection {0}: paced writer interrupted", name);
            close();
        }
    }

    /**
     * Waits until the interval since the last write has passed, so that a message the connection writes itself (a
     * fatal error) is a read of its own too. Never longer than the interval.
     */
    void awaitInterval() {
        long wait;
        lock.lock();
        try {
            wait = lastWrite + intervalNanos - System.nanoTime();
        } finally {
            lock.unlock();
        }
        if (wait <= 0) return;
        try {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, intervalNanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The connection is closed: drops what waits and releases every waiting sender. Any thread; idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            queuedBytes = 0;
            progress.signalAll();
            closing.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param text a piece's text
     * @return its length in a JSON string in UTF-8: escapes counted as the longest form, so never an underestimate
     */
    static int jsonBytes(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20) bytes += 6; // a six-character escape (some have a two-character form)
            else if (c == '"' || c == '\\') bytes += 2;
            else if (c < 0x80) bytes += 1;
            else if (c < 0x800) bytes += 2;
            else if (Character.isSurrogate(c)) bytes += 2; // a pair is 4 bytes
            else bytes += 3;
        }
        return bytes;
    }
}
