package dev.chatserver.server;

import dev.chatserver.engine.ChatEngine;
import java.io.IOException;
import java.util.Objects;

/**
 * Serves a {@link ChatEngine} to SocketLab clients over TCP: each connection is one conversation (one engine
 * session), messages are JSON objects (see {@link dev.chatserver.protocol}). Prints nothing; logs one line per
 * connect and disconnect. Thread-safe.
 *
 * <p>The engine belongs to the caller: closing the server closes its sessions, not the engine. The server counts
 * its open connections and refused ones into the engine's {@link ChatEngine#metrics()} (transport {@code tcp}).
 */
public interface ChatServer extends AutoCloseable {

    /** The default port, as in the SocketLab. */
    int DEFAULT_PORT = 12345;

    /**
     * Starts configuring a server.
     *
     * @param engine serves the answers
     * @return a builder with the defaults: 127.0.0.1, port 12345, virtual threads, {@link ServerLimits#DEFAULTS}
     */
    static Builder builder(ChatEngine engine) {
        return new Builder(engine);
    }

    /** @return the host the server is bound to */
    String host();

    /** @return the port the server is bound to (the actual one when built with port 0) */
    int port();

    /** @return how connections are mapped to threads */
    ConnectionMode mode();

    /** @return connections open right now */
    int connections();

    /**
     * Shuts down gracefully: stops accepting, ends answers in progress with an end message carrying
     * {@code "error": "server shutting down"}, closes every connection (and its engine session), and after a grace
     * period interrupts what is left. Returns within 5 seconds. Closing twice is harmless.
     */
    @Override
    void close();

    /** Configures a {@link ChatServer}; not thread-safe. */
    final class Builder {
        private final ChatEngine engine;
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private ConnectionMode mode = ConnectionMode.VIRTUAL;
        private ServerLimits limits = ServerLimits.DEFAULTS;

        private Builder(ChatEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /**
         * Chooses the interface to bind.
         *
         * @param host the interface to bind (default 127.0.0.1: loopback only)
         * @return this
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Chooses the port.
         *
         * @param port the port (default 12345; 0 picks a free one)
         * @return this
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535: " + port);
            this.port = port;
            return this;
        }

        /**
         * Chooses how connections map to threads.
         *
         * @param mode how connections map to threads (default {@link ConnectionMode#VIRTUAL})
         * @return this
         */
        public Builder mode(ConnectionMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Chooses the limits.
         *
         * @param limits the limits (default {@link ServerLimits#DEFAULTS})
         * @return this
         */
        public Builder limits(ServerLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Binds the port and starts accepting.
         *
         * @return the running server
         * @throws IOException if the port cannot be bound
         */
        public ChatServer start() throws IOException {
            ServerContext context = new ServerContext(engine, limits);
            try {
                return switch (mode) {
                    case VIRTUAL, PLATFORM -> BlockingChatServer.start(context, host, port, mode);
                    case SELECTOR -> SelectorChatServer.start(context, host, port);
                };
            } catch (IOException | RuntimeException e) {
                context.untrack();
                throw e;
            }
        }
    }
}
