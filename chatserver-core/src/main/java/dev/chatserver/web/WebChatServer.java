package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.protocol.JsonObjectStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The browser side of the chat server: one HTTP port that serves the chat page ({@code GET /}), the model's
 * settings ({@code GET /api/info}) and a WebSocket endpoint ({@code /} and {@code /ws}) whose text frames carry the
 * same JSON messages as the TCP protocol. Each WebSocket connection is one engine session.
 *
 * <p>{@code GET /health} answers 200 with {@code {"status":"ok",...}} while the engine runs and 503 once it stopped
 * or failed and while the server shuts down, for load balancers' health checks; {@code GET /metrics} gives the
 * engine's {@link dev.chatserver.metrics.PrometheusMetrics} in the Prometheus text format, when the engine was
 * created with such metrics (else 404). WebSocket connections and refusals are counted into the engine's metrics.
 *
 * <p>Every request must name this server in its {@code Host} header (the bound address or a loopback name, with
 * the right port, or a host allowed with {@link Builder#allowHost}), and a request that carries an {@code Origin}
 * header must come from this server's own origin
 * or from an origin allowed with {@link Builder#allowOrigin(URI)}; anything else gets 403. Requests without an
 * {@code Origin} (non-browser clients) are allowed, and {@code /health} does not look at {@code Origin} at all.
 *
 * <p>Thread-safe. Connections run on the web server's virtual threads.
 */
public interface WebChatServer extends AutoCloseable {

    /** The default port, as the lab's WebSocket proxy. */
    int DEFAULT_PORT = 5175;

    /** The default limit of one incoming WebSocket message, in bytes of UTF-8. */
    int DEFAULT_MAX_MESSAGE_BYTES = JsonObjectStream.DEFAULT_MAX_OBJECT_BYTES;

    /**
     * The default limit of WebSocket connections served at once, the same as the TCP server's default: each holds
     * an engine session and a thread.
     */
    int DEFAULT_MAX_CONNECTIONS = 10_000;

    /**
     * Starts a builder with the defaults: host 127.0.0.1, port {@value #DEFAULT_PORT}, no extra origins, messages up
     * to {@value #DEFAULT_MAX_MESSAGE_BYTES} bytes, up to {@value #DEFAULT_MAX_CONNECTIONS} WebSocket connections.
     *
     * @param engine the engine that answers
     * @return a builder
     */
    static Builder builder(ChatEngine engine) {
        return new Builder(engine);
    }

    /** @return the port the server listens on (the real one when it was started with port 0) */
    int port();

    /** @return the address of the chat page, e.g. {@code http://127.0.0.1:5175/} */
    URI uri();

    /**
     * Stops accepting connections, ends every answer in progress with the error {@code server shutting down},
     * closes the WebSockets and stops the HTTP server. Closing twice is harmless.
     */
    @Override
    void close();

    /** Configures and starts a {@link WebChatServer}; not thread-safe. */
    final class Builder {
        private final ChatEngine engine;
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private final List<URI> allowedOrigins = new ArrayList<>();
        private final List<String> allowedHosts = new ArrayList<>();
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;

        private Builder(ChatEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /** @param host the address to bind (a name or an IP literal) @return this */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** @param port the port to bind, 0 for an ephemeral one @return this */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            this.port = port;
            return this;
        }

        /**
         * Allows browser pages of one more origin to use the WebSocket and the API (repeatable).
         *
         * @param origin an origin such as {@code http://localhost:3000}: scheme, host and optional port, no path
         * @return this
         */
        public Builder allowOrigin(URI origin) {
            allowedOrigins.add(AccessPolicy.checkOrigin(origin));
            return this;
        }

        /**
         * Accepts one more name in the {@code Host} header (repeatable): the name clients use for a reverse proxy or
         * load balancer in front of this server, which passes their {@code Host} on. Without a port any port is
         * accepted. Browser pages under that name also need {@link #allowOrigin}.
         *
         * @param host a name or address, optionally with {@code :port}, e.g. {@code chat.example.com}
         * @return this
         * @throws IllegalArgumentException if it is not a host
         */
        public Builder allowHost(String host) {
            AccessPolicy.checkHost(Objects.requireNonNull(host, "host"));
            allowedHosts.add(host);
            return this;
        }

        /**
         * Limits incoming WebSocket messages. A message over the limit that arrives in several frames is answered
         * with an error end message; then (as for a single frame over the limit) the connection is closed with
         * code 1009.
         *
         * @param bytes the largest incoming WebSocket message, in bytes of UTF-8
         * @return this
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("max message bytes must be positive, was " + bytes);
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Limits the WebSocket connections served at once. One more is refused as the TCP server refuses one: it
         * gets the error end message {@code {"token":"","eog":true,"error":"too many connections"}} as a text frame,
         * then the close code 1013 (try again later), and no engine session is opened for it. A connection counts
         * from its opening until it ends in any way (closed by either side, failed, or the peer vanished). The chat
         * page and {@code /api/info} are not counted.
         *
         * @param n WebSocket connections served at once, positive
         * @return this
         */
        public Builder maxConnections(int n) {
            if (n <= 0) throw new IllegalArgumentException("max connections must be positive, was " + n);
            this.maxConnections = n;
            return this;
        }

        /**
         * Binds the port and starts serving.
         *
         * @return the running server
         * @throws java.io.UncheckedIOException if the port cannot be bound
         */
        public WebChatServer start() {
            return HelidonWebChatServer.start(engine,
                    new WebSettings(host, port, allowedOrigins, maxMessageBytes, maxConnections, allowedHosts));
        }
    }
}
