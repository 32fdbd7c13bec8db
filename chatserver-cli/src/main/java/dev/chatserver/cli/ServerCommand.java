package dev.chatserver.cli;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.Sampling;
import dev.chatserver.llama.LlamaRuntime;
import dev.chatserver.metrics.PrometheusMetrics;
import dev.chatserver.server.ChatServer;
import dev.chatserver.server.ConnectionMode;
import dev.chatserver.server.ServerLimits;
import dev.chatserver.web.WebChatServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code chatserver server}: loads a model and serves it over TCP (the SocketLab protocol) and, unless
 * {@code --no-web}, to browsers over HTTP and WebSocket.
 *
 * <p>Prints {@code The server has been started, listening on: <host>:<port>} as soon as the TCP port accepts
 * connections (scripts wait for that line), then, once the web server listens too, the chat page's address, and
 * logs a {@link StartupSummary} line. The engine counts into Prometheus metrics, served with {@code GET /metrics}
 * on the web port. SIGINT or SIGTERM shuts down in order (servers, then the engine) and the command returns 0.
 * Runs on the main thread, which waits for the stop signal.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a GGUF model to chat clients over TCP and to browsers over WebSocket.")
final class ServerCommand implements Callable<Integer> {

    private static final System.Logger LOG = System.getLogger(ServerCommand.class.getName());

    /** Where the model is looked for when {@code -m} is not given. */
    static final Path DEFAULT_MODEL = Path.of("models", "model.gguf");

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "The GGUF model (default: models/model.gguf).")
    Path model;

    @Option(names = "--no-pull", description = "Never download the default model; fail when it is missing.")
    boolean noPull;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address to bind, for TCP and web (default: ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "" + ChatServer.DEFAULT_PORT, paramLabel = "PORT",
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--mode", defaultValue = "virtual", paramLabel = "MODE", converter = ModeConverter.class,
            description = "Connection handling: virtual (a virtual thread per connection), platform (a platform"
                    + " thread per connection) or selector (one NIO selector thread) (default: ${DEFAULT-VALUE}).")
    ConnectionMode mode;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Answers decoded together, 1 to " + ServerPreflight.MAX_PARALLEL + " (default: 4).")
    Integer parallel;

    @Option(names = "--ctx", paramLabel = "N", description = "Context tokens per conversation (default: 2048; at "
            + "most the model's training context: a larger value is capped to it, with a warning).")
    Integer contextPerSession;

    @Option(names = "--threads", paramLabel = "N", description = "Decode threads (default: physical cores).")
    Integer threads;

    @Option(names = "--batch", paramLabel = "N", description = "Tokens per decode call (default: 512).")
    Integer batchSize;

    @Option(names = "--no-batch-invariance", description = "About twice as fast for a lone user, but answers may "
            + "then differ in the last bits (rarely a token) with what other users do (default: invariant).")
    boolean noBatchInvariance;

    @Option(names = "--draft-tokens", paramLabel = "N", description = "Tokens guessed from the conversation per step "
            + "while one user generates alone, checked by the model, so answers stay the same; pays off only when "
            + "answers repeat the conversation (default: 0 = off).")
    Integer maxDraftTokens;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Longest answer in tokens (default: 1024).")
    Integer maxTokens;

    @Option(names = "--system-prompt", paramLabel = "TEXT", description = "System message of every conversation.")
    String systemPrompt;

    @Option(names = "--temperature", paramLabel = "F", description = "Sampling temperature (default: 0 = greedy).")
    Float temperature;

    @Option(names = "--top-k", paramLabel = "N", description = "Keep the k most likely tokens (default: 0 = off).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "F", description = "Nucleus sampling threshold (default: 1 = off).")
    Float topP;

    @Option(names = "--min-p", paramLabel = "F", description = "Drop tokens below this share of the best one "
            + "(default: 0 = off).")
    Float minP;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for temperature sampling (default: 0, fixed, "
            + "so that sampled answers repeat from one start to the next).")
    Long seed;

    @Option(names = "--max-queued", paramLabel = "N",
            description = "Answers that may wait for a free slot before new ones are refused (default: 256).")
    Integer maxQueued;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "TCP and WebSocket connections at once, each (default: 10000).")
    Integer maxConnections;

    @Option(names = "--max-message-bytes", paramLabel = "N",
            description = "Largest client message, TCP and WebSocket, and request body of the HTTP API"
                    + " (default: 65536).")
    Integer maxMessageBytes;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close TCP connections silent this long, e.g. 10m (default: never).")
    Duration idleTimeout;

    @Option(names = "--min-message-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Least time between two TCP messages to one client, so that clients reading without "
                    + "framing find one message per read; text made meanwhile is merged, e.g. 0 (off), 5ms "
                    + "(default: 25ms).")
    Duration minMessageInterval;

    @Option(names = "--write-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close TCP connections whose client read nothing of an answer this long, e.g. 2m "
                    + "(default: 30s).")
    Duration writeTimeout;

    @Option(names = "--send-buffer-bytes", paramLabel = "N",
            description = "Kernel send buffer of each TCP connection (default: 65536).")
    Integer sendBufferBytes;

    @Option(names = "--web-port", defaultValue = "" + WebChatServer.DEFAULT_PORT, paramLabel = "PORT",
            description = "Port of the chat page and WebSocket (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int webPort;

    @Option(names = "--no-web", description = "Serve TCP only: no chat page, no WebSocket.")
    boolean noWeb;

    @Option(names = "--allow-origin", paramLabel = "URL",
            description = "Also accept browser pages from this origin, e.g. http://localhost:3000 (repeatable).")
    List<URI> allowedOrigins = new ArrayList<>();

    @Option(names = "--allow-host", paramLabel = "HOST[:PORT]",
            description = "Also accept this name in the Host header, e.g. a load balancer's public name; without a"
                    + " port, any port (repeatable).")
    List<String> allowedHosts = new ArrayList<>();

    /** How log lines are written. */
    enum LogFormat { text, json }

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "FORMAT",
            description = "Log lines on stderr as text or json (one JSON object per line) (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:CHATSERVER_API_KEY}",
            description = "Require this key on the web port: the OpenAI API (Authorization: Bearer KEY), the chat"
                    + " page and its WebSocket (the browser asks for it as a password). Default: the environment"
                    + " variable CHATSERVER_API_KEY; none when unset. The TCP port has no key.")
    String apiKey;

    @Override
    public Integer call() throws Exception {
        StartTrace.mark("options parsed");
        if (logFormat == LogFormat.json) CliLogging.json();
        // Every value is checked before the model is looked for (and perhaps downloaded), the memory it needs
        // before it loads.
        checkOptions();
        ServerLimits limits = limits();
        allowedHosts.forEach(ServerCommand::checkHost);
        if (minMessageInterval != null && (minMessageInterval.isNegative()
                || minMessageInterval.compareTo(ChatServer.MAX_MIN_MESSAGE_INTERVAL) > 0)) {
            throw CommandFailure.usage("--min-message-interval must be between 0 and "
                    + ChatServer.MAX_MIN_MESSAGE_INTERVAL.toMillis() + "ms, was " + minMessageInterval.toMillis() + "ms");
        }
        engineConfig(model != null ? model : DEFAULT_MODEL);
        ServerPreflight.checkAddresses(host, port, noWeb ? -1 : webPort);
        EngineConfig config = engineConfig(modelFile());
        ServerPreflight.checkMemory(config);
        try (RunningServers servers = new RunningServers()) {
            // Ctrl-C while the model loads ends the JVM the usual way; this hook then frees what was started.
            Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "server-shutdown"));
            StartTrace.mark("options checked");
            servers.metrics = EarlyStart.metrics();
            StartTrace.mark("metrics");
            if (StartTrace.enabled()) {
                LlamaRuntime.current(); // what the engine waits for first: loading since EarlyStart.begin()
                StartTrace.mark("native library");
            }
            servers.engine = ChatEngine.create(config, servers.metrics);
            StartTrace.mark("model and engine");
            servers.tcp = startTcp(servers.engine, limits);
            StopSignal stop = StopSignal.install(); // before the line: a script may stop the server right after it
            // The TCP port accepts from here on: the lab's scripts may connect now, while the web server starts.
            StartTrace.mark("listening");
            PrintWriter out = spec.commandLine().getOut();
            out.println("The server has been started, listening on: " + servers.tcp.host() + ":" + servers.tcp.port());
            out.flush();
            if (!noWeb) {
                servers.web = startWeb(servers.engine);
            }
            if (servers.web != null) {
                out.println("Chat in your browser: " + servers.web.uri());
                out.println("OpenAI-compatible API: " + servers.web.uri() + "v1");
            }
            out.flush();
            StartTrace.mark("web server");
            LOG.log(Level.INFO, new StartupSummary(servers.engine.info(), config.threads(), mode,
                    servers.tcp.host() + ":" + servers.tcp.port(), servers.web == null ? null : servers.web.uri())
                    .line());
            stop.await();
        }
        return 0;
    }

    /**
     * The model to serve: {@code -m}, else {@code models/model.gguf}, downloaded first when missing (unless
     * {@code --no-pull}).
     */
    Path modelFile() {
        Path file = model != null ? model : DEFAULT_MODEL;
        if (Files.isRegularFile(file)) {
            return file;
        }
        if (model != null) {
            throw CommandFailure.usage("model file not found: " + file
                    + " (check -m, or get a model with '" + Main.commandName() + " model pull')");
        }
        return DefaultModel.ensure(file, noPull, spec.commandLine().getOut());
    }

    /** @return the engine config the options give for the model file (package-private for tests) */
    EngineConfig engineConfig(Path file) {
        EngineConfig.Builder builder = EngineConfig.builder(file);
        if (parallel != null) builder.parallel(parallel);
        if (contextPerSession != null) builder.contextPerSession(contextPerSession);
        if (threads != null) builder.threads(threads);
        if (batchSize != null) builder.batchSize(batchSize);
        if (maxTokens != null) builder.maxTokens(maxTokens);
        if (maxQueued != null) builder.maxQueued(maxQueued);
        if (systemPrompt != null) builder.systemPrompt(systemPrompt);
        if (noBatchInvariance) builder.batchInvariant(false);
        if (maxDraftTokens != null) builder.maxDraftTokens(maxDraftTokens);
        builder.sampling(sampling());
        return builder.build(); // bad values: IllegalArgumentException, exit code 2
    }

    private Sampling sampling() {
        Sampling greedy = Sampling.greedy();
        return new Sampling(
                temperature != null ? temperature : greedy.temperature(),
                topK != null ? topK : greedy.topK(),
                topP != null ? topP : greedy.topP(),
                minP != null ? minP : greedy.minP(),
                seed != null ? seed : greedy.seed());
    }

    private ServerLimits limits() {
        ServerLimits limits = ServerLimits.DEFAULTS;
        if (maxConnections != null) limits = limits.withMaxConnections(maxConnections);
        if (maxMessageBytes != null) limits = limits.withMaxMessageBytes(maxMessageBytes);
        if (idleTimeout != null) limits = limits.withIdleTimeout(idleTimeout);
        if (writeTimeout != null) limits = limits.withWriteTimeout(writeTimeout);
        if (sendBufferBytes != null) limits = limits.withSendBufferBytes(sendBufferBytes);
        return limits;
    }

    private ChatServer startTcp(ChatEngine engine, ServerLimits limits) {
        try {
            ChatServer.Builder builder = ChatServer.builder(engine).host(host).port(port).mode(mode).limits(limits);
            if (minMessageInterval != null) builder.minMessageInterval(minMessageInterval);
            return builder.start();
        } catch (IOException e) {
            throw CommandFailure.runtime("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private WebChatServer startWeb(ChatEngine engine) {
        WebChatServer.Builder builder = WebChatServer.builder(engine).host(host).port(webPort);
        if (maxConnections != null) builder.maxConnections(maxConnections);
        if (maxMessageBytes != null) builder.maxMessageBytes(maxMessageBytes);
        allowedOrigins.forEach(builder::allowOrigin);
        if (apiKey != null && !apiKey.isBlank()) builder.apiKey(apiKey);
        allowedHosts.forEach(builder::allowHost);
        try {
            return builder.start();
        } catch (UncheckedIOException e) {
            throw CommandFailure.runtime("cannot serve the chat page on " + host + ":" + webPort + ": "
                    + e.getCause().getMessage() + " (choose another --web-port, or --no-web)", e);
        }
    }

    /** A {@code --allow-host} value must be what a {@code Host} header holds: a name or address, perhaps a port. */
    private static void checkHost(String value) {
        URI uri;
        try {
            uri = new URI("http://" + value.trim());
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !uri.getRawPath().isEmpty() || uri.getUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw CommandFailure.usage("--allow-host must be a host name or address with an optional :port, was "
                    + value);
        }
    }

    /** Each value against its range, with the flag's name in the message. */
    private void checkOptions() {
        ServerPreflight.between("--port", port, 0, 65535, "");
        ServerPreflight.between("--web-port", webPort, 0, 65535, "");
        ServerPreflight.between("--parallel", parallel, 1, ServerPreflight.MAX_PARALLEL,
                "llama.cpp decodes at most 256 sequences together, one of them the engine's own");
        ServerPreflight.positive("--ctx", contextPerSession);
        ServerPreflight.positive("--threads", threads);
        ServerPreflight.positive("--batch", batchSize);
        ServerPreflight.positive("--max-tokens", maxTokens);
        ServerPreflight.positive("--max-queued", maxQueued);
        ServerPreflight.positive("--max-connections", maxConnections);
        ServerPreflight.between("--max-message-bytes", maxMessageBytes, 64, Integer.MAX_VALUE, "");
        ServerPreflight.between("--draft-tokens", maxDraftTokens, 0, batchSize != null ? batchSize : 512,
                "at most --batch");
        ServerPreflight.between("--temperature", temperature, 0, Float.MAX_VALUE, "");
        ServerPreflight.between("--top-k", topK, 0, Integer.MAX_VALUE, "");
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw CommandFailure.usage("--top-p must be in (0, 1], was " + topP);
        }
        if (minP != null && !(minP >= 0 && minP < 1)) {
            throw CommandFailure.usage("--min-p must be in [0, 1), was " + minP);
        }
        if (idleTimeout != null && (idleTimeout.isZero() || idleTimeout.isNegative())) {
            throw CommandFailure.usage("--idle-timeout must be positive, was " + idleTimeout);
        }
        allowedOrigins.forEach(origin -> {
            try {
                WebChatServer.checkOrigin(origin);
            } catch (IllegalArgumentException e) {
                throw CommandFailure.usage("--allow-origin: " + e.getMessage());
            }
        });
    }

    /** {@code --mode} in lower case, in its help and its errors. */
    static final class ModeConverter implements ITypeConverter<ConnectionMode> {
        @Override
        public ConnectionMode convert(String value) {
            for (ConnectionMode mode : ConnectionMode.values()) {
                if (mode.name().equalsIgnoreCase(value)) return mode;
            }
            throw new TypeConversionException("expected virtual, platform or selector, but was '" + value + "'");
        }
    }

    /**
     * What the command started, closed in reverse order (servers first, so that answers end with "server shutting
     * down", then the engine). Closed by the main thread or, if the JVM exits another way, by the shutdown hook;
     * closing twice is harmless.
     */
    private static final class RunningServers implements AutoCloseable {
        volatile ChatEngine engine;
        volatile ChatServer tcp;
        volatile WebChatServer web;
        volatile PrometheusMetrics metrics;

        @Override
        public synchronized void close() {
            if (web != null) web.close();
            if (tcp != null) tcp.close();
            if (engine != null) engine.close();
            if (metrics != null) metrics.close();
            web = null;
            tcp = null;
            engine = null;
            metrics = null;
        }
    }
}
