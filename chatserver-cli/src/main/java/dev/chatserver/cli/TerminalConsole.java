package dev.chatserver.cli;

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
    public Optional<String> nextPrompt() {
        while (true) {
            String line;
            try {
                line = reader.readLine("> ");
            } catch (UserInterruptException | EndOfFileException quit) {
                // JLine answers Ctrl-C by interrupting the reading thread; clear the flag, or restoring the tty
                // (which runs stty) fails.
                Thread.interrupted();
                return Optional.empty();
            }
            if (!line.isBlank()) {
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
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> handler.run());
        return () -> terminal.handle(Terminal.Signal.INT, previous);
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
