package dev.chatserver.cli;

import java.io.IOError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The client's console on an interactive terminal: JLine line editing and in-memory history for prompts; answers
 * stream below the prompt. Ctrl-C or Ctrl-D at the prompt ends the session. Uses JLine's exec terminal provider
 * (it drives the tty with {@code stty}; it needs no native library). Used by the client's main thread.
 */
final class TerminalConsole implements ChatConsole {

    private final Terminal terminal;
    private final LineReader reader;
    /** The handler of {@link #onInterrupt}, or null; set by the main thread. */
    private volatile Runnable interruptHandler;

    private TerminalConsole(Terminal terminal) {
        this.terminal = terminal;
        this.reader = LineReaderBuilder.builder().terminal(terminal).appName("chatserver").build();
    }

    static TerminalConsole open() throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).provider("exec").build();
        return new TerminalConsole(terminal);
    }

    @Override
    public void info(String line) {
        terminal.writer().println(line);
        terminal.flush();
    }

    @Override
    public Optional<String> nextPrompt() throws IOException {
        while (true) {
            String line;
            try {
                line = reader.readLine("> ");
            } catch (UserInterruptException | EndOfFileException quit) {
                // JLine answers Ctrl-C by interrupting the reading thread; clear the flag, or restoring the tty
                // (which runs stty) fails.
                Thread.interrupted();
                return Optional.empty();
            } catch (IOError e) {
                // Setting the tty up runs stty in the foreground process group, so a Ctrl-C at that moment kills
                // it; JLine's handler has then interrupted this thread. That is a Ctrl-C at the prompt: quit.
                if (Thread.interrupted()) {
                    return Optional.empty();
                }
                throw new IOException("the terminal failed: " + e.getMessage(), e);
            }
            // Set when Ctrl-C came as the line was accepted: JLine's handler was still in place.
            boolean pressedOnAccept = Thread.interrupted();
            if (!line.isBlank()) {
                Runnable handler = interruptHandler;
                if (pressedOnAccept && handler != null) {
                    handler.run(); // a press after the prompt was sent (see ClientInterrupts)
                }
                return Optional.of(line);
            }
        }
    }

    @Override
    public void answerPiece(String piece) {
        terminal.writer().print(piece);
        terminal.flush();
    }

    @Override
    public void answerEnd() {
        terminal.writer().println();
        terminal.flush();
    }

    @Override
    public void warn(String line) {
        terminal.writer().println(line);
        terminal.flush();
    }

    @Override
    public Registration onInterrupt(Runnable handler) {
        // While readLine runs, JLine puts its own handler (Ctrl-C at the prompt quits) and then restores this one.
        interruptHandler = handler;
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> handler.run());
        return () -> {
            terminal.handle(Terminal.Signal.INT, previous);
            interruptHandler = null;
        };
    }

    @Override
    public void close() {
        try {
            terminal.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
