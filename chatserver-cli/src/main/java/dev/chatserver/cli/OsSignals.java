package dev.chatserver.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The one place that handles operating-system signals, through {@code sun.misc.Signal} (module jdk.unsupported,
 * exported and usable without flags; Java has no public API for it). Handlers run on the JVM's signal thread.
 *
 * <p>Compiled for Java 11 like {@link Launcher}, which uses it.
 */
final class OsSignals {

    private OsSignals() {
    }

    /**
     * Replaces the handling of one signal.
     *
     * @param name    {@code INT}, {@code TERM}, ...
     * @param handler runs on the signal thread on each delivery
     * @return restores the previous handling
     */
    static Runnable handle(String name, Runnable handler) {
        Signal signal = new Signal(name);
        SignalHandler previous = Signal.handle(signal, received -> handler.run());
        return () -> Signal.handle(signal, previous);
    }

    /**
     * Sends a signal to this process, as {@code kill} from outside would: its handling (or the default) applies.
     *
     * @param name {@code INT}, {@code TERM}, ...
     */
    static void raise(String name) {
        Signal.raise(new Signal(name));
    }
}
