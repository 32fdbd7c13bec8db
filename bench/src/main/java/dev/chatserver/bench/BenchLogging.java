package dev.chatserver.bench;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns our own logging down to warnings inside benchmark JVMs: the server logs every connection it opens at
 * INFO, and writing tens of thousands of such lines to the console would be measured along with the server.
 * Any thread; idempotent.
 */
final class BenchLogging {

    /** Held so that the configured logger is not collected (java.util.logging keeps loggers weakly). */
    private static final Logger PROJECT = Logger.getLogger("dev.chatserver");

    private BenchLogging() {
    }

    /** Sets the project's loggers (System.Logger backed by java.util.logging) to WARNING. */
    static void quiet() {
        PROJECT.setLevel(Level.WARNING);
    }
}
