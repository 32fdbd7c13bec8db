package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.openai.OpenAiService;
import dev.chatserver.metrics.ChatMetrics;
import dev.chatserver.metrics.PrometheusMetrics;
import dev.chatserver.metrics.Transport;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@link WebChatServer} on a Helidon 4 SE web server, which runs every connection on its own virtual thread.
 *
 * <p>Threads: {@link #start} and {@link #close} run on the caller's thread; requests, WebSocket frames and
 * {@link ChatSocket} callbacks run on the connections' virtual threads.
 */
final class HelidonWebChatServer implements WebChatServer {

    private static final System.Logger LOG = System.getLogger(HelidonWebChatServer.class.getName());

    /** Where the chat page's files live on the class path. */
    static final String PAGE_LOCATION = "dev/chatserver/web/page";
    private static final List<String> PAGE_FILES = List.of("index.html", "chat.css", "chat.js", "markdown.js",
            "favicon.svg", "lib/marked.js", "lib/purify.js");
    /**
     * A frame up to this many times the message limit is read and answered with an error, so that the connection
     * goes on; a larger one is refused by the web server (close 1009) before it is held in memory whole.
     */
    static final int FRAME_LIMIT_FACTOR = 4;
    /** Attempts at binding an ephemeral port that another process may take between probe and bind. */
    private static final int EPHEMERAL_ATTEMPTS = 5;
    /** The health check's path, which {@link RequestGuard} lets through without looking at {@code Origin}. */
    static final String HEALTH_PATH = "/health";

    private final WebServer server;
    private final URI uri;
    private final OpenSockets sockets;
    /** Set when closing begins; {@code /health} answers 503 from then on. */
    private final AtomicBoolean closed;
    /** The open WebSockets in the engine's metrics. */
    private final ChatMetrics.Registration tracked;

    private HelidonWebChatServer(WebServer server, URI uri, OpenSockets sockets, AtomicBoolean closed,
                                 ChatMetrics.Registration tracked) {
        this.server = server;
        this.uri = uri;
        this.sockets = sockets;
        this.closed = closed;
        this.tracked = tracked;
    }

    /**
     * Starts a server. Helidon checks WebSocket origins against a fixed list before any filter runs, so the real port
     * must be known before the server is built: port 0 is resolved first by probing a free port. A fixed port is
     * probed too, so that a port in use is reported as one clear error (Helidon would log a stack trace).
     */
    static WebChatServer start(ChatEngine engine, WebSettings settings) {
        if (settings.port() != 0) {
            return startOn(engine, settings.withPort(probe(settings.host(), settings.port())));
        }
        UncheckedIOException last = null;
        for (int attempt = 0; attempt < EPHEMERAL_ATTEMPTS; attempt++) {
            try {
                return startOn(engine, settings.withPort(probe(settings.host(), 0)));
            } catch (UncheckedIOException e) {
                last = e;     // another process took the probed port in between: probe again
            }
        }
        throw last;
    }

    /** Starts on the settings' port, which is no longer 0. */
    private static WebChatServer startOn(ChatEngine engine, WebSettings settings) {
        String host = settings.host();
        int port = settings.port();
        int maxMessageBytes = settings.maxMessageBytes();
        AccessPolicy policy = AccessPolicy.of(host, port, settings.allowedOrigins(), settings.allowedHosts());
        OpenSockets sockets = new OpenSockets(settings.maxConnections());
        var page = StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                .location(PAGE_LOCATION)
                .classLoader(HelidonWebChatServer.class.getClassLoader())
                .welcome("index.html")
                .cachedFiles(Set.copyOf(PAGE_FILES))
                .build());
        Supplier<WsListener> socket = () -> new ChatSocket(engine, sockets, maxMessageBytes);
        WsRouting.Builder ws = WsRouting.builder().endpoint("/", socket).endpoint("/ws", socket);
        AtomicBoolean closed = new AtomicBoolean();
        HttpRouting.Builder http = HttpRouting.builder().addFilter(new RequestGuard(policy, engine.metrics()));
        settings.apiKey().ifPresent(key -> http.addFilter(new KeyGuard(key, HEALTH_PATH)));
        http.register("/v1", OpenAiService.create(engine, maxMessageBytes, settings.apiKey()))
                .get("/api/info", new InfoHandler(engine, maxMessageBytes))
                .get(HEALTH_PATH, new HealthHandler(engine, closed::get));
        if (engine.metrics() instanceof PrometheusMetrics metrics) http.get("/metrics", new MetricsHandler(metrics));
        http.register("/", page);
        // Two gates, one policy: Helidon's WebSocket upgrader compares Origin with its exact list before routing (and
        // without a list it would demand Origin == Host, refusing allowed origins); the routing filter then checks
        // Host and Origin of every request, the upgrade included, before any handler or the protocol switch.
        WsConfig wsConfig = WsConfig.builder().origins(policy.origins()).maxFrameLength(
                (int) Math.min(Integer.MAX_VALUE, (long) FRAME_LIMIT_FACTOR * maxMessageBytes)).build();
        // HTTP/1 with the one upgrade we serve, whose connections read through a FrameScanner. A selector given here
        // is asked before the ones Helidon makes from its protocol list, so it serves every HTTP/1.1 connection.
        Http1ConnectionSelector http1 = Http1ConnectionSelector.builder()
                .config(Http1Config.create())
                .addUpgrader(new ScanningWsUpgrader(wsConfig))
                .build();
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownHook(false)
                .addProtocol(wsConfig)
                .addConnectionSelector(http1)
                .routing(http)
                .addRouting(ws)
                .build();
        server.start();
        if (!server.isRunning()) {
            server.stop();
            throw new UncheckedIOException("cannot listen on " + host + ":" + port,
                    new BindException("the web server did not start; its log says why"));
        }
        URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + "/");
        LOG.log(Level.DEBUG, "web chat at {0}", uri);
        ChatMetrics.Registration tracked = engine.metrics().trackConnections(Transport.WEBSOCKET, sockets::size);
        return new HelidonWebChatServer(server, uri, sockets, closed, tracked);
    }

    /** Binds and releases the port, to learn the ephemeral port or to find out that a fixed one is taken. */
    private static int probe(String host, int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        sockets.shutDownAll();
        server.stop();
        tracked.close();
        LOG.log(Level.DEBUG, "web chat at {0} stopped", uri);
    }
}
