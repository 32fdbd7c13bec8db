package dev.chatserver.server;

import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ServerMessage;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;

/**
 * What the accepting thread does when {@code accept} fails, in every mode: pause accepting for {@link #PAUSE} (so a
 * persistent failure such as running out of file descriptors does not spin a core), log at most one line per
 * second with the count, and when descriptors ran out, use the one spare descriptor it keeps to accept a waiting
 * client, send it the error {@value #OUT_OF_DESCRIPTORS} and close it, instead of leaving it hanging in the backlog.
 * Connections already open are served as usual meanwhile. Used by the one accepting thread only.
 */
final class AcceptFailures {

    /** How long accepting pauses after a failure. */
    static final Duration PAUSE = Duration.ofMillis(100);
    /** The error a client accepted on the spare descriptor gets. */
    static final String OUT_OF_DESCRIPTORS = "server busy: out of file descriptors, try again later";
    private static final byte[] REFUSAL = MessageCodec.encodeLine(ServerMessage.End.error(OUT_OF_DESCRIPTORS));
    private static final long LOG_PERIOD_NANOS = 1_000_000_000L;

    /** Accepts one waiting connection, or returns null; for the blocking and the selector listener alike. */
    interface Acceptor {
        /** @return an accepted connection in blocking mode, or null when none waits */
        Socket accept() throws IOException;
    }

    private Closeable spare = openSpare();

    private final Acceptor acceptor;

    /**
     * Created with the listener, so that every class a failure needs is loaded before descriptors run out: then the
     * class loader cannot open class files either.
     *
     * @param acceptor accepts a waiting client
     */
    AcceptFailures(Acceptor acceptor) {
        this.acceptor = acceptor;
    }
    /** Start of the current count; the first failure is logged at once. */
    private long windowStart = System.nanoTime() - LOG_PERIOD_NANOS;
    private int failures;
    private int refused;

    /**
     * An accept failed.
     *
     * @param failure why
     */
    void failed(IOException failure) {
        failures++;
        if (isOutOfDescriptors(failure)) refuseOne();
        long now = System.nanoTime();
        if (now - windowStart >= LOG_PERIOD_NANOS) {
            ServerContext.LOG.log(Level.WARNING, "accept failed {0} times in {1} ms ({2}); {3} clients refused; "
                    + "pausing accepts for {4} ms after each", failures, (now - windowStart) / 1_000_000,
                    failure.getMessage(), refused, PAUSE.toMillis());
            windowStart = now;
            failures = 0;
            refused = 0;
        }
    }

    private static boolean isOutOfDescriptors(IOException failure) {
        String message = String.valueOf(failure.getMessage());
        return message.contains("Too many open files");
    }

    private void refuseOne() {
        if (spare == null) {
            spare = openSpare();
            return;
        }
        closeQuietly(spare);
        spare = null;
        try {
            Socket client = acceptor.accept();
            if (client != null) {
                try (client) {
                    client.setSoTimeout(100);
                    client.getOutputStream().write(REFUSAL);
                }
                refused++;
            }
        } catch (IOException e) {
            // the client left first, or the descriptor went to someone else: nothing more to do
        }
        spare = openSpare();
    }

    /** @return a descriptor held in reserve (an unbound channel), or null when none can be had now */
    private static Closeable openSpare() {
        try {
            return ServerSocketChannel.open();
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Frees the spare descriptor (the listener closes). */
    void close() {
        if (spare != null) closeQuietly(spare);
        spare = null;
    }
}
