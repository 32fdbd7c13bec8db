package dev.chatserver.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Configures the JDK logging that {@code System.Logger} writes to: one line per record on stderr
 * ({@code 12:34:56 INFO dev.chatserver.server: message}), INFO and above, and our own debug messages too with {@code --verbose}.
 * Called once on the main thread before any command runs; {@link #json()} then switches the lines to JSON
 * ({@code server --log-format json}).
 */
final class CliLogging {

    /** Held strongly: the JDK keeps loggers only weakly, and a collected logger forgets its level. */
    private static final Logger PROJECT = Logger.getLogger("dev.chatserver");
    /** The web server's start and stop chatter; its warnings still show. */
    private static final Logger HELIDON = Logger.getLogger("io.helidon");
    /** The one handler {@link #configure} installs; null when the user configured logging themselves. */
    private static volatile ConsoleHandler handler;

    private CliLogging() {
    }

    static void configure(boolean verbose) {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return; // the user configured logging themselves
        }
        // Helidon would otherwise reconfigure the JDK logging from a logging.properties in the working directory.
        System.setProperty("io.helidon.logging.config.disabled", "true");
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        LogManager.getLogManager().reset();
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new SimpleFormatter());
        console.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        root.addHandler(console);
        handler = console;
        // Debug output of our own code only; the JDK's and libraries' debug output is noise for a user.
        PROJECT.setLevel(verbose ? Level.FINE : Level.INFO);
        HELIDON.setLevel(verbose ? Level.INFO : Level.WARNING);
    }

    /** From now on, one JSON object per line ({@link JsonLogFormatter}); nothing when logging is the user's own. */
    static void json() {
        ConsoleHandler console = handler;
        if (console != null) console.setFormatter(new JsonLogFormatter());
    }
}
