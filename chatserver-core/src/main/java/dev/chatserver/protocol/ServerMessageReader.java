package dev.chatserver.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a server's messages from a blocking stream (a client's socket), whatever the framing: several messages in
 * one read, one message split over reads, newlines or nothing between them.
 *
 * <p>Mutable; used by one thread at a time (the client's reader).
 */
public final class ServerMessageReader {

    private final InputStream in;
    private final JsonObjectStream stream;
    private final ArrayDeque<String> objects = new ArrayDeque<>();
    private final byte[] buffer = new byte[8192];
    private ProtocolException malformed;
    private boolean ended;

    private ServerMessageReader(InputStream in, int maxMessageBytes) {
        this.in = Objects.requireNonNull(in, "in");
        this.stream = JsonObjectStream.create(maxMessageBytes);
    }

    /**
     * Reads messages up to 1 MiB each.
     *
     * @param in the server's bytes
     * @return a reader
     */
    public static ServerMessageReader over(InputStream in) {
        return new ServerMessageReader(in, 1 << 20);
    }

    /**
     * Reads the next message, blocking until it is complete.
     *
     * @return the message, or empty when the server closed the connection
     * @throws IOException       if reading fails
     * @throws ProtocolException if the server sent something that is not a message of the protocol
     */
    public Optional<ServerMessage> next() throws IOException, ProtocolException {
        while (objects.isEmpty() && malformed == null && !ended) {
            int n = in.read(buffer);
            if (n < 0) {
                ended = true;
                break;
            }
            stream.feed(ByteBuffer.wrap(buffer, 0, n), new JsonObjectStream.Sink() {
                @Override
                public void onObject(String json) {
                    objects.add(json);
                }

                @Override
                public void onMalformed(ProtocolException problem) {
                    if (malformed == null) malformed = problem;
                }
            });
        }
        if (!objects.isEmpty()) return Optional.of(MessageCodec.decodeServer(objects.poll()));
        if (malformed != null) {
            ProtocolException problem = malformed;
            malformed = null;
            throw problem;
        }
        return Optional.empty();
    }
}
