package dev.chatserver.bench;

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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The lab's concurrency test as a client: {@code n} TCP clients connect at once, each sends two prompts one after
 * the other over the SocketLab wire protocol and reads every answer up to its final {@code "eog": true}.
 * {@link #run} is called by one thread and runs each client on its own virtual thread.
 */
final class ActiveClients {

    /** The two prompts of the exchange. */
    static final List<String> PROMPTS = List.of("Hello! Who are you?", "Tell me a short story about a cat.");

    private static final int READ_TIMEOUT_MS = 120_000;

    /**
     * What the clients achieved.
     *
     * @param completed  clients that received both answers without an error
     * @param answers    answers received in total
     * @param pieces     text pieces received in total
     * @param firstError the first client's failure, or empty
     */
    record Result(int completed, int answers, int pieces, String firstError) {
    }

    /** What one client received. */
    private record ClientOutcome(int answers, int pieces, Optional<String> error) {
    }

    private ActiveClients() {
    }

    /** Runs {@code clients} clients against {@code server} and waits for all of them, at most {@code timeout}. */
    static Result run(InetSocketAddress server, int clients, Duration timeout) throws InterruptedException {
        List<Future<ClientOutcome>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) futures.add(executor.submit(() -> exchange(server)));
            int completed = 0;
            int answers = 0;
            int pieces = 0;
            String firstError = "";
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Future<ClientOutcome> f : futures) {
                ClientOutcome outcome;
                try {
                    outcome = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    outcome = new ClientOutcome(0, 0, Optional.of(String.valueOf(e.getCause())));
                } catch (TimeoutException e) {
                    f.cancel(true);
                    outcome = new ClientOutcome(0, 0, Optional.of("no answer within " + timeout));
                }
                answers += outcome.answers();
                pieces += outcome.pieces();
                if (outcome.error().isEmpty()) completed++;
                else if (firstError.isEmpty()) firstError = outcome.error().get();
            }
            return new Result(completed, answers, pieces, firstError);
        }
    }

    /** One client: connect, then prompt and read the answer, twice. Runs on its own virtual thread. */
    private static ClientOutcome exchange(InetSocketAddress server) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server, READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            MessageReader reader = new MessageReader(in);
            int answers = 0;
            int pieces = 0;
            for (String prompt : PROMPTS) {
                String line = MessageCodec.encode(ClientMessage.Prompt.of(prompt)) + "\n";
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.flush();
                while (true) {
                    ServerMessage message = reader.next();
                    if (message instanceof ServerMessage.Piece) {
                        pieces++;
                    } else if (message instanceof ServerMessage.End end) {
                        if (end.error().isPresent()) {
                            return new ClientOutcome(answers, pieces, Optional.of("server error: " + end.error().get()));
                        }
                        answers++;
                        break;
                    }
                }
            }
            return new ClientOutcome(answers, pieces, Optional.empty());
        }
    }

    /** Reads server messages off a socket with the protocol's own splitter. Used by one client thread. */
    private static final class MessageReader implements JsonObjectStream.Sink {
        private final InputStream in;
        private final JsonObjectStream splitter = JsonObjectStream.create(JsonObjectStream.DEFAULT_MAX_OBJECT_BYTES);
        private final Queue<String> objects = new ArrayDeque<>();
        private final byte[] buffer = new byte[8192];
        private ProtocolException malformed;

        MessageReader(InputStream in) {
            this.in = in;
        }

        ServerMessage next() throws IOException {
            while (objects.isEmpty()) {
                int n = in.read(buffer);
                if (n < 0) throw new IOException("server closed the connection in the middle of an answer");
                try {
                    splitter.feed(ByteBuffer.wrap(buffer, 0, n), this);
                } catch (ProtocolException e) {
                    throw new IOException("bad server output: " + e.getMessage(), e);
                }
                if (malformed != null) throw new IOException("bad server output: " + malformed.getMessage());
            }
            try {
                return MessageCodec.decodeServer(objects.remove());
            } catch (ProtocolException e) {
                throw new IOException("bad server message: " + e.getMessage(), e);
            }
        }

        @Override
        public void onObject(String json) {
            objects.add(json);
        }

        @Override
        public void onMalformed(ProtocolException problem) {
            malformed = problem;
        }
    }
}
