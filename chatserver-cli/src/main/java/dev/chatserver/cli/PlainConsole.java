package dev.chatserver.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The client's console for scripts: reads lines from stdin (UTF-8) and prints {@code > <answer>} per prompt on
 * stdout, with no prompt before input arrives and no escape codes, so a transcript compares byte for byte.
 * Used by the client's main thread.
 */
final class PlainConsole implements ChatConsole {

    private final BufferedReader in;
    private final PrintStream out;
    /** The Ctrl-C handler of {@link #onInterrupt}, or null; set by the main thread. */
    private Runnable interruptHandler;
    /** Undoes the installation of {@link #interruptHandler}. */
    private Runnable restoreSignal;

    private PlainConsole(BufferedReader in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    static PlainConsole open() {
        return new PlainConsole(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                System.out);
    }

    @Override
    public void info(String line) {
        out.println(line);
        out.flush();
    }

    @Override
    public Optional<String> nextPrompt() throws IOException {
        // While waiting for input Ctrl-C keeps the JVM's meaning (quit), as JLine gives it at a terminal's prompt.
        if (interruptHandler != null) {
            restoreSignal.run();
        }
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    out.print("> ");
                    out.flush();
                    return Optional.of(line);
                }
            }
            return Optional.empty();
        } finally {
            if (interruptHandler != null) {
                restoreSignal = OsSignals.handle("INT", interruptHandler);
            }
        }
    }

    @Override
    public void answerPiece(String piece) {
        out.print(piece);
        out.flush();
    }

    @Override
    public void answerEnd() {
        out.println();
        out.flush();
    }

    @Override
    public void answerInterrupted() {
        // Scripts get the answers alone.
    }

    @Override
    public void note(String text) {
        // Scripts get the answers alone.
    }

    @Override
    public boolean interruptedAtPrompt() {
        return false; // Ctrl-C while reading stdin keeps the JVM's meaning: the process ends at once
    }

    @Override
    public void abortPrompt() {
        // A read of stdin cannot be ended; the next send reports the closed connection.
    }

    @Override
    public void warn(String line) {
        System.err.println(line);
        System.err.flush();
    }

    @Override
    public Registration onInterrupt(Runnable handler) {
        interruptHandler = handler;
        restoreSignal = OsSignals.handle("INT", handler);
        return () -> {
            restoreSignal.run();
            interruptHandler = null;
        };
    }

    @Override
    public void close() {
        out.flush();
    }
}
