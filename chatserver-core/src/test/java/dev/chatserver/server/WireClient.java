package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.protocol.ClientMessage;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.protocol.ServerMessageReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A test client speaking the wire protocol over a plain socket; reads accept any framing. One thread uses it. */
final class WireClient implements AutoCloseable {

    /** Generous: the machine running the tests may be loaded. */
    static final int READ_TIMEOUT_MILLIS = 120_000;

    /**
     * One answer as the client saw it.
     *
     * @param text   the pieces joined
     * @param pieces how many piece messages came
     * @param error  the end message's error
     */
    record Answer(String text, int pieces, Optional<String> error) {
        Answer ok() {
            assertThat(error).as("error of answer '%s'", text).isEmpty();
            return this;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final ServerMessageReader reader;

    WireClient(int port) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            out = socket.getOutputStream();
            reader = ServerMessageReader.over(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    WireClient write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    WireClient write(String raw) {
        return write(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Closes the sending side (a half-close); reading goes on. */
    WireClient shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    WireClient send(ClientMessage message) {
        return write(MessageCodec.encode(message));
    }

    WireClient prompt(String text) {
        return send(ClientMessage.Prompt.of(text));
    }

    /** Sends the prompt and reads its answer. */
    Answer ask(String text) {
        return prompt(text).readAnswer();
    }

    /** Reads messages up to the next end message. */
    Answer readAnswer() {
        StringBuilder text = new StringBuilder();
        int pieces = 0;
        while (true) {
            ServerMessage message = next();
            assertThat(message).as("a message before the connection closed").isNotNull();
            switch (message) {
                case ServerMessage.Piece piece -> {
                    text.append(piece.token());
                    pieces++;
                }
                case ServerMessage.End end -> {
                    return new Answer(text.toString(), pieces, end.error());
                }
            }
        }
    }

    /** Reads until the given number of pieces or the end of the answer arrived. */
    void readAnswerPieces(int pieces) {
        int seen = 0;
        while (seen < pieces) {
            ServerMessage message = next();
            if (message == null || message instanceof ServerMessage.End) return;
            seen++;
        }
    }

    /** Reads until the server closes the connection; returns what came before. */
    List<ServerMessage> readUntilClosed() {
        List<ServerMessage> messages = new ArrayList<>();
        ServerMessage message;
        while ((message = next()) != null) messages.add(message);
        return messages;
    }

    /** @return the next message, or null when the server closed the connection */
    private ServerMessage next() {
        try {
            return reader.next().orElse(null);
        } catch (java.net.SocketException reset) {
            return null; // a reset after the server's close counts as closed
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ProtocolException e) {
            throw new AssertionError("the server sent a bad message: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
