package dev.chatserver.cli;

import dev.chatserver.protocol.ClientMessage;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.protocol.ServerMessageReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The client's TCP connection to a chat server, speaking the SocketLab protocol.
 *
 * <p>One thread (the client's main thread) sends prompts and reads answers; {@link #cancel()} and {@link #close()}
 * may be called from any other thread (the Ctrl-C handler). Writes are serialised on this object. A virtual thread
 * of the connection reads the socket all the time and queues what it reads, so that a server that goes away is
 * noticed at once, also while nobody waits for an answer (the client then waits at its prompt): see
 * {@link #onGone}.
 */
final class ServerConnection implements AutoCloseable {

    /** How long connecting may take before the server counts as unreachable. */
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /**
     * Server messages read but not yet handled, then one {@link IOException} saying why reading ended; filled by
     * the reader thread, taken by the main thread.
     */
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    /** Runs on the reader thread when the connection ends under it; null for none. */
    private volatile Consumer<IOException> gone;

    private ServerConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Tells when the connection ends other than by {@link #close()}: the server closed it, went away, or broke the
     * protocol. The listener runs on the connection's reader thread.
     *
     * @param listener receives why (a {@link ServerGoneException} when the server closed the connection); null for
     *                 none
     */
    void onGone(Consumer<IOException> listener) {
        gone = listener;
    }

    /** The reader thread: queues the server's messages until the connection ends. */
    private void readAll() {
        ServerMessageReader reader = ServerMessageReader.over(in);
        IOException end;
        try {
            for (Optional<ServerMessage> message = reader.next(); message.isPresent(); message = reader.next()) {
                received.add(message.get());
            }
            end = new ServerGoneException();
        } catch (ProtocolException e) {
            end = new IOException("the server broke the protocol: " + e.getMessage(), e);
        } catch (IOException e) {
            end = e;
        }
        received.add(end);
        Consumer<IOException> listener = gone;
        if (listener != null && !socket.isClosed()) listener.accept(end);
    }

    /**
     * Connects.
     *
     * @param host the server's host name or address
     * @param port its TCP port
     * @return the connection
     * @throws IOException if the server cannot be reached
     */
    static ServerConnection open(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            ServerConnection connection = new ServerConnection(socket);
            Thread.ofVirtual().name("client-reader").start(connection::readAll);
            return connection;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends a whole prompt ({@code {"token": "...", "eog": true}}).
     *
     * @param prompt the user's line
     * @throws IOException if the connection is broken
     */
    void sendPrompt(String prompt) throws IOException {
        send(ClientMessage.Prompt.of(prompt));
    }

    /**
     * Asks the server to stop the answer in progress ({@code {"cancel": true}}); it then ends with an end message.
     * Called from the Ctrl-C handler's thread.
     *
     * @throws IOException if the connection is broken
     */
    void cancel() throws IOException {
        send(new ClientMessage.Cancel());
    }

    private synchronized void send(ClientMessage message) throws IOException {
        out.write(MessageCodec.encode(message).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Reads one answer to its end.
     *
     * @param pieces receives each piece of text as it arrives
     * @return the end message (with the server's error, if any)
     * @throws IOException if the server closes the connection or sends something that is not the protocol
     */
    ServerMessage.End receiveAnswer(Consumer<String> pieces) throws IOException {
        while (true) {
            switch (next()) {
                case ServerMessage.Piece piece -> pieces.accept(piece.token());
                case ServerMessage.End end -> {
                    return end;
                }
            }
        }
    }

    /** @return the next message; waits for it */
    private ServerMessage next() throws IOException {
        Object next;
        try {
            next = received.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the server");
        }
        if (next instanceof IOException end) {
            received.add(end); // every later read fails the same way
            if (end instanceof ServerGoneException) throw new ServerGoneException();
            throw new IOException(end.getMessage(), end);
        }
        return (ServerMessage) next;
    }

    /** Closes the socket; a read in progress on another thread then fails. Closing twice is harmless. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** The server closed the connection (or went away) while the client waited for it. */
    static final class ServerGoneException extends IOException {
        ServerGoneException() {
            super("the server closed the connection");
        }
    }
}
