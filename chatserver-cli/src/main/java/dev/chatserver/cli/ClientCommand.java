package dev.chatserver.cli;

import dev.chatserver.protocol.ServerMessage;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chatserver client}: chats with a server over TCP, one prompt per line.
 *
 * <p>Prints {@code Connected to <host>:<port>} once connected, then for each non-blank input line sends the prompt
 * and streams the answer. End of input exits 0; a server that goes away exits 1, at once also while the client
 * waits at its prompt. Ctrl-C during an answer cancels it (text still arriving for it is not shown); a second
 * Ctrl-C (during the same answer, or just after it), or Ctrl-C on an empty prompt line, quits with 130, the exit
 * code of a process ended by Ctrl-C (see {@link ClientInterrupts}); Ctrl-C on a prompt line with text clears it.
 * On a terminal an answer cut by the server's limits ends with a dim note saying so. Runs on the main thread; the
 * Ctrl-C handler runs on a signal-handling thread and only sends a cancel, prints {@code ^C} or closes the
 * connection; the connection's reader thread reports a server gone.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Chat with a server over TCP: one prompt per line, answers stream back.")
final class ClientCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Server host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "12345", paramLabel = "PORT",
            description = "Server TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    /**
     * Orders the answer's pieces (main thread) with the {@code ^C} of a press that cancels the answer (signal
     * thread), so that no text shows after the {@code ^C}.
     */
    private final Object screen = new Object();

    @Override
    public Integer call() throws IOException {
        if (port < 1 || port > 65535) {
            throw CommandFailure.usage("--port must be between 1 and 65535, was " + port);
        }
        ServerConnection connection;
        try {
            connection = ServerConnection.open(host, port);
        } catch (IOException e) {
            throw CommandFailure.runtime("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        ClientInterrupts interrupts = new ClientInterrupts(Thread.currentThread());
        AtomicReference<IOException> gone = new AtomicReference<>();
        ChatConsole console;
        try {
            console = ChatConsole.open();
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
        Runnable press = () -> {
            synchronized (screen) {
                boolean cancelledBefore = interrupts.answerCancelled();
                interrupts.pressed();
                if (!cancelledBefore && interrupts.answerCancelled()) console.answerInterrupted();
            }
        };
        try (connection; console; var _ = console.onInterrupt(press)) {
            connection.onGone(why -> {
                gone.compareAndSet(null, why);
                if (interrupts.atPrompt()) console.abortPrompt();
            });
            console.info("Connected to " + host + ":" + port);
            while (!interrupts.beforePrompt()) {
                Optional<String> prompt = console.nextPrompt();
                // The console leaves the interrupt status set when Ctrl-C came as the line was accepted.
                boolean pressedOnAccept = Thread.interrupted();
                if (prompt.isEmpty()) {
                    if (console.interruptedAtPrompt()) return INTERRUPTED;
                    IOException why = gone.get();
                    if (why != null) throw CommandFailure.runtime(goneMessage(why), why);
                    return 0;
                }
                if (interrupts.lineAccepted(pressedOnAccept)
                        || !converse(connection, console, interrupts, prompt.get())) {
                    break;
                }
            }
        }
        return INTERRUPTED; // only a Ctrl-C ends the loop
    }

    /** The exit code of a process that Ctrl-C (SIGINT) ended: 128 + 2. */
    static final int INTERRUPTED = 130;

    private static String goneMessage(IOException why) {
        return why instanceof ServerConnection.ServerGoneException ? why.getMessage()
                : "connection to the server failed: " + why.getMessage();
    }

    /**
     * Sends one prompt and shows its answer.
     *
     * @return false when the user quit with a second Ctrl-C
     */
    private boolean converse(ServerConnection connection, ChatConsole console, ClientInterrupts interrupts,
            String prompt) throws IOException {
        ServerMessage.End end;
        try {
            connection.sendPrompt(prompt);
            interrupts.answerStarted(connection);
            end = connection.receiveAnswer(piece -> {
                synchronized (screen) {
                    if (!interrupts.answerCancelled()) console.answerPiece(piece); // nothing after a ^C
                }
            });
        } catch (ServerConnection.ServerGoneException e) {
            console.answerEnd();
            throw CommandFailure.runtime(e.getMessage(), e);
        } catch (IOException e) {
            console.answerEnd();
            if (interrupts.quitRequested()) {
                return false; // the second Ctrl-C closed the connection under the read
            }
            throw CommandFailure.runtime("connection to the server failed: " + e.getMessage(), e);
        } finally {
            interrupts.answerEnded();
        }
        console.answerEnd();
        end.error().ifPresent(error -> console.warn("server: " + error));
        if (end.droppedTurns() > 0) {
            console.note("[" + end.droppedTurns() + (end.droppedTurns() == 1 ? " earlier turn" : " earlier turns")
                    + " dropped to fit the context window]");
        }
        if (end.finish().equals(Optional.of(ServerMessage.Finish.LENGTH))) console.note("[stopped: max tokens]");
        return true;
    }
}
