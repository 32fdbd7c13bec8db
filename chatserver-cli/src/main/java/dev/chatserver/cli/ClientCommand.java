package dev.chatserver.cli;

import dev.chatserver.protocol.ServerMessage;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chatserver client}: chats with a server over TCP, one prompt per line.
 *
 * <p>Prints {@code Connected to <host>:<port>} once connected, then for each non-blank input line sends the prompt
 * and streams the answer. End of input exits 0; a server that goes away exits 1. Ctrl-C during an answer cancels
 * it; a second Ctrl-C during the same answer, or Ctrl-C at the prompt, quits. Runs on the main thread; the Ctrl-C
 * handler runs on a signal-handling thread and only sends a cancel or closes the connection.
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
        try (connection; ChatConsole console = ChatConsole.open()) {
            console.info("Connected to " + host + ":" + port);
            for (Optional<String> prompt = console.nextPrompt(); prompt.isPresent(); prompt = console.nextPrompt()) {
                if (!converse(connection, console, prompt.get())) {
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
    private static boolean converse(ServerConnection connection, ChatConsole console, String prompt)
            throws IOException {
        AtomicInteger interrupts = new AtomicInteger();
        ServerMessage.End end;
        try (var _ = console.onInterrupt(() -> interrupted(connection, interrupts.incrementAndGet()))) {
            connection.sendPrompt(prompt);
            end = connection.receiveAnswer(console::answerPiece);
        } catch (ServerConnection.ServerGoneException e) {
            console.answerEnd();
            throw CommandFailure.runtime(e.getMessage(), e);
        } catch (IOException e) {
            console.answerEnd();
            if (interrupts.get() > 1) {
                return false; // the second Ctrl-C closed the connection under the read
            }
            throw CommandFailure.runtime("connection to the server failed: " + e.getMessage(), e);
        }
        console.answerEnd();
        end.error().ifPresent(error -> console.warn("server: " + error));
        return true;
    }

    /** Ctrl-C during an answer: the first cancels it, the second quits. Runs on a signal-handling thread. */
    private static void interrupted(ServerConnection connection, int count) {
        try {
            if (count == 1) {
                connection.cancel();
            } else {
                connection.close();
            }
        } catch (IOException e) {
            // The connection is already broken; the main thread's read reports it.
        }
    }
}
