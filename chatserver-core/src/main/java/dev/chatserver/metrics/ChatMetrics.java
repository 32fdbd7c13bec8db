package dev.chatserver.metrics;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * What the server counts. Every method may be called from any thread, never blocks and costs a few plain atomic
 * increments at most: the engine thread calls only {@link #decodeStep}, once per decode step.
 */
public interface ChatMetrics {

    /** @return metrics that count nothing (the default of an embedded engine) */
    static ChatMetrics none() {
        return NoMetrics.INSTANCE;
    }

    /**
     * @return metrics counted with Micrometer into a new Prometheus registry, with the JVM's and the process's
     *         standard meters; close it when done
     */
    static PrometheusMetrics prometheus() {
        return MicrometerMetrics.create();
    }

    /**
     * A connection (or, for {@link Transport#HTTP}, a request in progress) opened; pair it with
     * {@link #connectionClosed}.
     *
     * @param transport what carries it
     */
    void connectionOpened(Transport transport);

    /** @param transport what carried the connection that ended */
    void connectionClosed(Transport transport);

    /**
     * Counts a connection or request for as long as the returned registration is open, for try-with-resources:
     * {@code try (var counted = metrics.connection(Transport.HTTP)) { ...handle the request... }}.
     *
     * @param transport what carries it
     * @return closing it (once; again is harmless) counts it closed
     */
    default Registration connection(Transport transport) {
        connectionOpened(transport);
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) connectionClosed(transport);
        };
    }

    /**
     * Counts a server's open connections by asking it when metrics are scraped, instead of by
     * {@link #connectionOpened}/{@link #connectionClosed}.
     *
     * @param transport what carries them
     * @param open      the number open now; called on the scraping thread
     * @return closing it stops counting them (when the server closes)
     */
    Registration trackConnections(Transport transport, IntSupplier open);

    /**
     * Lets scrapes read the engine's queue length, active replies, KV cells in use and open sessions.
     *
     * @param load read on the scraping thread
     * @return closing it stops reading it (when the engine closes)
     */
    Registration trackEngine(EngineLoad load);

    /** @param rejection why a request was refused */
    void rejected(Rejection rejection);

    /**
     * A reply ended (called on its delivery thread, before its listener hears of it).
     *
     * @param reason          how it ended, in lower case: {@code end}, {@code max_tokens}, {@code cancelled},
     *                        {@code context_full}, {@code busy}, {@code error}
     * @param promptTokens    prompt tokens decoded for it
     * @param generatedTokens tokens generated
     * @param firstTokenNanos from sending the message to the first generated token, in nanoseconds; negative when
     *                        no token was generated
     */
    void replyEnded(String reason, int promptTokens, int generatedTokens, long firstTokenNanos);

    /**
     * One decode step of the engine ran (engine thread).
     *
     * @param nanos how long it took, in nanoseconds
     */
    void decodeStep(long nanos);

    /** Undoes a {@code track...} call. Closing twice is harmless. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
