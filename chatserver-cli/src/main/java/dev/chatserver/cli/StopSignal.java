package dev.chatserver.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Waits for SIGINT or SIGTERM, so that the server command can shut down in order on its main thread and exit 0
 * (a JVM that shuts down because of a signal would otherwise exit 130 or 143). Other ways out of the JVM (SIGHUP,
 * an exit elsewhere) still run the shutdown hook the server command registers. Signal handlers run on the JVM's
 * signal thread and only release the waiting thread.
 */
final class StopSignal {

    private final CountDownLatch stop = new CountDownLatch(1);

    private StopSignal() {
    }

    /** @return a stop signal whose handlers are installed for SIGINT and SIGTERM */
    static StopSignal install() {
        StopSignal signal = new StopSignal();
        OsSignals.handle("INT", signal.stop::countDown);
        OsSignals.handle("TERM", signal.stop::countDown);
        return signal;
    }

    /**
     * Blocks until SIGINT or SIGTERM arrives.
     *
     * @throws InterruptedException if the waiting thread is interrupted
     */
    void await() throws InterruptedException {
        stop.await();
    }
}
