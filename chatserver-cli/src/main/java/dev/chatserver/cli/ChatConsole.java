package dev.chatserver.cli;

import java.io.Console;
import java.io.IOException;
import java.util.Optional;

/**
 * Where the client reads prompts and shows answers: an interactive terminal with line editing and history
 * ({@link TerminalConsole}), or plain stdin/stdout for scripts ({@link PlainConsole}, which prints exactly
 * {@code > <answer>} per prompt and no escape codes).
 *
 * <p>Used by the client's main thread; {@link #onInterrupt} handlers run on a signal-handling thread.
 */
sealed interface ChatConsole extends AutoCloseable permits TerminalConsole, PlainConsole {

    /**
     * Opens the console that fits how the process was started.
     *
     * @return a terminal console when stdin and stdout are a terminal, a plain one otherwise
     * @throws IOException if the terminal cannot be set up
     */
    static ChatConsole open() throws IOException {
        Console console = System.console();
        return console != null && console.isTerminal() ? TerminalConsole.open() : PlainConsole.open();
    }

    /**
     * Prints a line of information (e.g. {@code Connected to host:port}).
     *
     * @param line the text
     */
    void info(String line);

    /**
     * Shows the prompt and reads the user's next non-blank line.
     *
     * @return the line, or empty at the end of input (or when the user quit with Ctrl-C at the prompt); with a
     *         line, the calling thread's interrupt status is set when a Ctrl-C came as the line was accepted
     * @throws IOException if reading fails
     */
    Optional<String> nextPrompt() throws IOException;

    /**
     * Shows a piece of the answer at once.
     *
     * @param piece the text
     */
    void answerPiece(String piece);

    /** Ends the answer's line. */
    void answerEnd();

    /**
     * Marks where a Ctrl-C cut the answer ({@code ^C} on a terminal, as a shell shows it; nothing in plain mode).
     * Any thread; the caller orders it with {@link #answerPiece}.
     */
    void answerInterrupted();

    /**
     * Shows a remark under an answer, e.g. {@code [stopped: max tokens]}: dim on a terminal, left out in plain mode
     * (scripts compare answers byte for byte).
     *
     * @param text the remark
     */
    void note(String text);

    /**
     * @return whether the last empty {@link #nextPrompt} was the user's Ctrl-C on an empty line (not the end of
     *         input)
     */
    boolean interruptedAtPrompt();

    /**
     * Ends a {@link #nextPrompt} that waits for the user (it returns empty), e.g. because the server went away.
     * Any thread; harmless when no prompt waits (the next one then returns empty at once).
     */
    void abortPrompt();

    /**
     * Reports a problem the session survives (e.g. the server refused a prompt) on stderr.
     *
     * @param line the text
     */
    void warn(String line);

    /**
     * Routes Ctrl-C to a handler until the returned registration is closed (then the previous behaviour returns).
     * While {@link #nextPrompt} waits for input, Ctrl-C keeps its meaning there instead: it quits.
     *
     * @param handler runs on a signal-handling thread on each Ctrl-C
     * @return closes the registration
     */
    Registration onInterrupt(Runnable handler);

    /** Restores the terminal. */
    @Override
    void close();

    /** Undoes an {@link #onInterrupt} registration. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
