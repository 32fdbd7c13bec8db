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
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

/**
 * The client's console on an interactive terminal: JLine line editing and in-memory history for prompts; answers
 * stream below the prompt. At the prompt Ctrl-C clears the line, and on an empty line ends the session, as Ctrl-D
 * does. Uses JLine's FFM terminal provider
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
    /** Set by {@link #abortPrompt} (any thread): the prompt returns empty. */
    private volatile boolean aborted;
    /** Whether the last empty prompt was a Ctrl-C on an empty line; main thread. */
    private boolean interruptedAtPrompt;

    private TerminalConsole(Terminal terminal) {
        this.terminal = terminal;
        this.reader = LineReaderBuilder.builder().terminal(terminal).appName("chatserver").build();
    }

    static TerminalConsole open() throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).providers("ffm,exec").nativeSignals(false).build();
        // The client shows ^C itself, where the answer stopped: the tty's echo would come at the key press, before the
        // text that was already on its way.
        Attributes attributes = terminal.getAttributes();
        attributes.setLocalFlag(Attributes.LocalFlag.ECHOCTL, false);
        terminal.setAttributes(attributes);
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
        interruptedAtPrompt = false;
        while (true) {
            long interruptsBefore = interrupts.get();
            String line;
            try {
                if (aborted) return Optional.empty();
                line = reader.readLine("> ");
            } catch (UserInterruptException e) {
                // JLine answers Ctrl-C by interrupting the reading thread; clear the flag, or restoring the tty
                // fails (with the exec provider it waits for stty).
                Thread.interrupted();
                if (aborted) return Optional.empty();
                if (!e.getPartialLine().isEmpty()) continue;      // Ctrl-C clears the line
                interruptedAtPrompt = true;
                return Optional.empty();
            } catch (EndOfFileException e) {
                Thread.interrupted();
                return Optional.empty();
            } catch (IOError e) {
                // With the exec provider setting the tty up (and back) runs stty in the foreground process group, so a
                // Ctrl-C at that moment kills it or the JDK's helper that starts it, and JLine fails with whatever
                // that caused, often before the JVM has run its handler for the same signal. That is a Ctrl-C at
                // the prompt: quit.
                if (interruptedSince(interruptsBefore)) {
                    interruptedAtPrompt = !aborted;
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
    public void answerInterrupted() {
        terminal.writer().print("^C");
        terminal.flush();
    }

    @Override
    public void note(String text) {
        terminal.writer().println(new AttributedString(text, AttributedStyle.DEFAULT.faint()).toAnsi(terminal));
        terminal.flush();
    }

    @Override
    public boolean interruptedAtPrompt() {
        return interruptedAtPrompt;
    }

    @Override
    public void abortPrompt() {
        aborted = true;
        // While readLine waits, JLine's handler takes the signal and readLine ends; otherwise nobody waits for
        // input, and the flag ends the next prompt before it reads.
        terminal.raise(Terminal.Signal.INT);
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
