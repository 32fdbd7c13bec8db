package dev.chatserver.web;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for frames no library would send: any first byte (opcode, FIN), a text
 * payload of any bytes, a message split anywhere. The handshake is a real HTTP upgrade; everything the server writes
 * afterwards is kept as bytes, so that a test sees whatever follows the 101 response, frames or not.
 *
 * <p>One test thread uses an instance.
 */
final class RawWebSocket implements AutoCloseable {

    /** FIN bit of a frame's first byte. */
    static final int FIN = 0x80;
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    /**
     * How long a read may wait, and how long the close may take in all: below the server's ping interval (a minute),
     * so that a server that never closes fails the test instead of keeping it alive with pings.
     */
    private static final int WAIT_MILLIS = 30_000;

    /** One frame from the server. */
    record Frame(int firstByte, byte[] payload) {
        int opcode() {
            return firstByte & 0x0F;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /**
     * What the server sent from the handshake on until it ended the connection.
     *
     * @param frames    the frames after the 101 response, the close frame last
     * @param afterHead everything after the 101 response's head, as ISO-8859-1 text (one char per byte)
     */
    record Ending(List<Frame> frames, String afterHead) {
        /** @return the close frame's status code */
        int closeCode() {
            Frame close = frames.getLast();
            if (close.opcode() != CLOSE || close.payload().length < 2) {
                throw new AssertionError("the last frame is not a close frame with a code: " + afterHead);
            }
            return ByteBuffer.wrap(close.payload()).getShort() & 0xFFFF;
        }

        /** @return the close frame's reason */
        String closeReason() {
            byte[] payload = frames.getLast().payload();
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }

        /** @return the text frames before the close frame */
        List<String> texts() {
            return frames.stream().filter(f -> f.opcode() == TEXT).map(Frame::text).toList();
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final String head;

    private RawWebSocket(int port, String path) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(WAIT_MILLIS);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        head = readHead();
        if (!head.startsWith("HTTP/1.1 101 ")) throw new AssertionError("no protocol switch: " + head);
    }

    /**
     * @param port the web server's port
     * @param path the WebSocket's path
     * @return a client after a successful upgrade
     */
    static RawWebSocket open(int port, String path) throws IOException {
        return new RawWebSocket(port, path);
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed in the response head: " + bytes);
            bytes.write(b);
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends one masked frame.
     *
     * @param firstByte FIN, RSV and opcode bits, as they go on the wire
     * @param payload   the payload, unmasked
     */
    void send(int firstByte, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(firstByte);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) frame.write(payload[i] ^ mask[i % 4]);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** @return the parts one after the other */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) all.writeBytes(part);
        return all.toByteArray();
    }

    /** Sends one whole text message in one frame. */
    void sendText(String text) throws IOException {
        send(FIN | TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the next frame from the server */
    Frame read() throws IOException {
        int first = readByte();
        int second = readByte();
        if ((first & 0x70) != 0 || (second & 0x80) != 0) {
            throw new AssertionError("not a server frame after the 101 response: " + afterHead() + rest());
        }
        int length = second & 0x7F;
        if (length == 126) length = (readByte() << 8) | readByte();
        else if (length == 127) throw new AssertionError("unexpectedly long frame: " + afterHead());
        byte[] payload = new byte[length];
        in.readFully(payload);
        received.writeBytes(payload);
        return new Frame(first, payload);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) throw new EOFException("connection closed; after the 101 response: " + afterHead());
        received.write(b);
        return b;
    }

    /**
     * @return the text of the next whole message (pings are skipped), for well-behaved exchanges
     */
    String readText() throws IOException {
        StringBuilder text = new StringBuilder();
        while (true) {
            Frame frame = read();
            if (frame.opcode() == PING) continue;
            if (frame.opcode() != TEXT && frame.opcode() != CONTINUATION) {
                throw new AssertionError("expected a text frame, got opcode " + frame.opcode() + ": " + afterHead());
            }
            text.append(frame.text());
            if ((frame.firstByte() & FIN) != 0) return text.toString();
        }
    }

    /**
     * Reads frames up to the server's close frame, answers it with a close frame as a client should, and reads on
     * until the server ends the connection.
     *
     * @return everything the server sent after the handshake
     */
    Ending readToEnd() throws IOException {
        List<Frame> frames = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000L;
        Frame frame;
        do {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no close frame within " + WAIT_MILLIS + " ms: " + afterHead());
            }
            frame = read();
            frames.add(frame);
        } while (frame.opcode() != CLOSE);
        try {
            send(FIN | CLOSE, new byte[] {0x03, (byte) 0xE8});
        } catch (IOException e) {
            // the server may have ended the connection right after its close frame
        }
        String rest = rest();
        if (!rest.isEmpty()) throw new AssertionError("bytes after the close frame: " + afterHead() + rest);
        return new Ending(List.copyOf(frames), afterHead());
    }

    /** Reads until the server ends the connection; what came is also kept in {@link #afterHead()}. */
    private String rest() {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        try {
            in.transferTo(rest);
        } catch (IOException e) {
            // a reset after the server's close is an end too
        }
        received.writeBytes(rest.toByteArray());
        return rest.toString(StandardCharsets.ISO_8859_1);
    }

    /** @return what the server sent after the 101 response so far, one char per byte */
    String afterHead() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
