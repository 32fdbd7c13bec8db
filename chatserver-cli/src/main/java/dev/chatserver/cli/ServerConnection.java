package dev.chatserver.cli;

import dev.chatserver.protocol.ClientMessage;
import dev.chatserver.protocol.JsonObjectStream;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * The client's TCP connection to a chat server, speaking the SocketLab protocol.
 *
 * <p>One thread (the client's main thread) sends prompts and reads answers; {@link #cancel()} and {@link #close()}
 * may be called from any other thread (the Ctrl-C handler). Writes are serialised on this object.
 */
final class ServerConnection implements AutoCloseable {

    /** How long connecting may take before the server counts as unreachable. */
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final JsonObjectStream splitter = JsonObjectStream.create(JsonObjectStream.DEFAULT_MAX_OBJECT_BYTES);
    /** Whole JSON objects read but not yet handled (a read may carry the end of one answer and more). */
    private final Queue<String> received = new ArrayDeque<>();
    private final byte[] buffer = new byte[8192];

    private ServerConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
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
            return new ServerConnection(socket);
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
            String json = nextObject();
            try {
                switch (MessageCodec.decodeServer(json)) {
                    case ServerMessage.Piece piece -> pieces.accept(piece.token());
                    case ServerMessage.End end -> {
                        return end;
                    }
                }
            } catch (ProtocolException e) {
                throw new IOException("the server broke the protocol: " + e.getMessage(), e);
            }
        }
    }

    private String nextObject() throws IOException {
        while (received.isEmpty()) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new ServerGoneException();
            }
            ProtocolException[] malformed = new ProtocolException[1];
            try {
                splitter.feed(ByteBuffer.wrap(buffer, 0, n), new JsonObjectStream.Sink() {
                    @Override
                    public void onObject(String json) {
                        received.add(json);
                    }

                    @Override
                    public void onMalformed(ProtocolException problem) {
                        if (malformed[0] == null) malformed[0] = problem;
                    }
                });
            } catch (ProtocolException e) {
                malformed[0] = e;
            }
            if (malformed[0] != null) {
                throw new IOException("the server broke the protocol: " + malformed[0].getMessage(), malformed[0]);
            }
        }
        return received.remove();
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
