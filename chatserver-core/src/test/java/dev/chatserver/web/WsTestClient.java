package dev.chatserver.web;

import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A protocol client over {@link java.net.http.WebSocket}: collects whole text messages in a queue.
 *
 * <p>The JDK's WebSocket thread calls the listener; the test thread takes from the queue.
 */
final class WsTestClient implements AutoCloseable {

    private static final Duration WAIT = Duration.ofMinutes(2);

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private WsTestClient(URI uri, String origin) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        if (origin != null) builder.header("Origin", origin);
        socket = builder.buildAsync(uri, new Collector()).join();
    }

    /**
     * @param uri    e.g. {@code ws://127.0.0.1:5175/ws}
     * @param origin the Origin header, or null for none
     * @return a connected client
     * @throws java.util.concurrent.CompletionException when the handshake fails
     */
    static WsTestClient connect(URI uri, String origin) {
        return new WsTestClient(uri, origin);
    }

    /** @param json one message to send as one text frame */
    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** @param part a fragment of a text message @param last whether it ends the message */
    void sendPart(String part, boolean last) {
        socket.sendText(part, last).join();
    }

    /** @param bytes one binary message */
    void sendBinary(byte[] bytes) {
        socket.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).join();
    }

    /** @return the next message, waiting generously */
    String next() throws InterruptedException {
        String message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) throw new AssertionError("no message within " + WAIT);
        return message;
    }

    /** @return the messages up to and including the next end message */
    List<String> answer() throws InterruptedException {
        List<String> transcript = new ArrayList<>();
        while (true) {
            String message = next();
            transcript.add(message);
            if (isEnd(message)) return transcript;
        }
    }

    /** @return the close code the server sent, waiting generously */
    int closeCode() throws Exception {
        return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static boolean isEnd(String json) {
        try {
            return MessageCodec.decodeServer(json) instanceof ServerMessage.End;
        } catch (ProtocolException e) {
            throw new AssertionError("not a server message: " + json, e);
        }
    }

    /** Drops the TCP connection without a close frame, as a crashed client would. */
    void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(t -> null);
        socket.abort();
    }

    private final class Collector implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
