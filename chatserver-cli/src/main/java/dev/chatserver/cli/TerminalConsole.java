package dev.chatserver.cli;

import java.io.IOError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The client's console on an interactive terminal: JLine line editing and in-memory history for prompts; answers
 * stream below the prompt. Ctrl-C or Ctrl-D at the prompt ends the session. Uses JLine's FFM terminal provider
 * (it sets the tty up through the C library with the foreign function API), else its exec provider (it runs
 * {@code stty}). Used by the client's main thread.
 *
 * <p>Signals: JLine swaps the JVM's signal handlers each time a handler changes (at the start and end of every
 * prompt), and for a moment in each swap the JVM's default handler is in place, so a Ctrl-C at that moment ended
 * the process with 130. So JLine's native signal handling is off and this console installs one JVM handler per
 * signal for its whole life, which hands the signal to the terminal; JLine's handlers and {@link #onInterrupt}'s
 * then only change which Java handler the terminal calls.
 */
final class TerminalConsole implements ChatConsole {

    /** How long a failed prompt waits for the SIGINT that may have caused it to reach the JVM's handler. */
    private static final Duration SIGNAL_DELIVERY = Duration.ofMillis(200);

    private final Terminal terminal;
    private final LineReader reader;
    /** Every SIGINT this console received, counted on the signal thread before any handler runs. */
    private final AtomicLong interrupts = new AtomicLong();
    /** Undo the JVM signal handlers installed by {@link #open}. */
    private final List<Runnable> restoreSignals = new ArrayList<>();

    private TerminalConsole(Terminal terminal) {
        this.terminal = terminal;
        this.reader = LineReaderBuilder.builder().terminal(terminal).appName("chatserver").build();
    }

    static TerminalConsole open() throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).providers("ffm,exec").nativeSignals(false).build();
        TerminalConsole console = new TerminalConsole(terminal);
        // Ctrl-C, a resized window (the line editor redraws), and the return from Ctrl-Z (back into raw mode).
        for (Terminal.Signal signal : List.of(Terminal.Signal.INT, Terminal.Signal.WINCH, Terminal.Signal.CONT)) {
            console.restoreSignals.add(OsSignals.handle(signal.name(), () -> {
                if (signal == Terminal.Signal.INT) {
                    console.interrupts.incrementAndGet();
                }
                terminal.raise(signal);
            }));
        }
        return console;
    }

    @Override
    public void info(String line) {
        terminal.writer().println(line);
        terminal.flush();
    }

    @Override
    public Optional<String> nextPrompt() throws IOException {
        while (true) {
            long interruptsBefore = interrupts.get();
            String line;
            try {
                line = reader.readLine("> ");
            } catch (UserInterruptException | EndOfFileException quit) {
                // JLine answers Ctrl-C by interrupting the reading thread; clear the flag, or restoring the tty
                // fails (with the exec provider it waits for stty).
                Thread.interrupted();
                return Optional.empty();
            } catch (IOError e) {
                // With the exec provider setting the tty up (and back) runs stty in the foreground process group, so a
                // Ctrl-C at that moment kills it or the JDK's helper that starts it, and JLine fails with whatever
                // that caused, often before the JVM has run its handler for the same signal. That is a Ctrl-C at
                // the prompt: quit.
                if (interruptedSince(interruptsBefore)) {
                    return Optional.empty();
                }
                throw new IOException("the terminal failed: " + e.getMessage(), e);
            }
            if (!line.isBlank()) {
                // The interrupt status stays set when Ctrl-C came as the line was accepted (JLine's handler was
                // still in place): the caller counts it as a press during the answer.
                return Optional.of(line);
            }
            Thread.interrupted(); // a press on a blank line: the prompt comes again
        }
    }

    /**
     * @param before the count of SIGINTs at some earlier moment
     * @return whether a SIGINT came since then, waiting up to {@link #SIGNAL_DELIVERY} for one on its way
     */
    private boolean interruptedSince(long before) {
        Thread.interrupted(); // JLine's handler may have set it; it would end the waits below at once
        long deadline = System.nanoTime() + SIGNAL_DELIVERY.toNanos();
        while (interrupts.get() == before && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        Thread.interrupted();
        return interrupts.get() != before;
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
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> handler.run());
        return () -> terminal.handle(Terminal.Signal.INT, previous);
    }

    @Override
    public void close() {
        // A Ctrl-C that quit may have interrupted this thread; restoring the tty runs stty and waits for it.
        Thread.interrupted();
        try {
            terminal.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            restoreSignals.forEach(Runnable::run);
        }
    }
}
