package dev.chatserver.cli;

import dev.chatserver.protocol.ServerMessage;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chatserver client}: chats with a server over TCP, one prompt per line.
 *
 * <p>Prints {@code Connected to <host>:<port>} once connected, then for each non-blank input line sends the prompt
 * and streams the answer. End of input exits 0; a server that goes away exits 1. Ctrl-C during an answer cancels
 * it; a second Ctrl-C (during the same answer, or just after it), or Ctrl-C at the prompt, quits (see
 * {@link ClientInterrupts}). Runs on the main thread; the Ctrl-C handler runs on a signal-handling thread and only
 * sends a cancel or closes the connection.
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
        try (connection; ChatConsole console = ChatConsole.open();
                var _ = console.onInterrupt(interrupts::pressed)) {
            console.info("Connected to " + host + ":" + port);
            while (!interrupts.beforePrompt()) {
                Optional<String> prompt = console.nextPrompt();
                // The console leaves the interrupt status set when Ctrl-C came as the line was accepted.
                boolean pressedOnAccept = Thread.interrupted();
                if (prompt.isEmpty() || interrupts.lineAccepted(pressedOnAccept)
                        || !converse(connection, console, interrupts, prompt.get())) {
                    break;
                }
            }
        }
        return 0;
    }

    /**
     * Sends one prompt and shows its answer.
     *
     * @return false when the user quit with a second Ctrl-C
     */
    private static boolean converse(ServerConnection connection, ChatConsole console, ClientInterrupts interrupts,
            String prompt) throws IOException {
        ServerMessage.End end;
        try {
            connection.sendPrompt(prompt);
            interrupts.answerStarted(connection);
            end = connection.receiveAnswer(console::answerPiece);
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
        return true;
    }
}
