package dev.chatserver.bench;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.server.ChatServer;
import dev.chatserver.server.ConnectionMode;
import dev.chatserver.server.ServerLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The lab's concurrency test under load of idle connections: with {@code idle} connections open and silent, how
 * long do 10 active clients take to each complete a two-prompt exchange with the real {@link ChatServer} (in
 * connection mode {@code mode}) and engine on the tiny synthetic model? JMH's score is that time. Per trial it
 * also records server memory per idle connection (RSS and heap after GC, before minus after, divided by the
 * count), the server's kernel thread count and the accept rate while the idle connections were opened
 * ({@link TrialMetrics}).
 * <p>
 * The idle clients live in a child process ({@link IdleClientFleet}); the server, the engine and the 10 active
 * clients live in this JVM. State of one trial; JMH's benchmark thread runs every method.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// A fixed, pre-touched heap: the RSS delta then holds only memory outside the Java heap, the heap delta the rest.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3)
@Measurement(iterations = 8)
public class IdleConnectionBenchmark {

    /** Active clients of the exchange, as in the lab's concurrency test. */
    static final int ACTIVE_CLIENTS = 10;

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration EXCHANGE_TIMEOUT = Duration.ofMinutes(3);

    /** Connection mode: {@code virtual}, {@code platform} or {@code selector}. */
    @Param({"virtual", "platform", "selector"})
    public String mode;

    /** Idle connections held open during the trial. */
    @Param({"0", "1000"})
    public int idle;

    /** Tokens per answer: small, the exchange measures the server, not the model. */
    @Param({"12"})
    public int maxTokens;

    private ChatEngine engine;
    private ChatServer server;
    private IdleClientFleet fleet;
    private TrialMetrics metrics;
    private InetSocketAddress address;

    /** Starts engine and server, then opens the idle connections and measures what they cost. */
    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException, TimeoutException {
        BenchLogging.quiet();
        metrics = new TrialMetrics("idle").param("mode", mode).param("idle", idle).param("maxTokens", maxTokens);
        engine = ChatEngine.create(EngineConfig.builder(BenchModels.resolve(BenchModels.TINY))
                .parallel(ACTIVE_CLIENTS)
                .contextPerSession(256)
                .threads(1)
                .maxTokens(maxTokens)
                .build());
        server = ChatServer.builder(engine)
                .host("127.0.0.1")
                .port(0)
                .mode(ConnectionMode.valueOf(mode.toUpperCase(Locale.ROOT)))
                .limits(ServerLimits.DEFAULTS.withMaxConnections(idle + 4 * ACTIVE_CLIENTS))
                .start();
        address = new InetSocketAddress("127.0.0.1", server.port());

        ProcessStats before = ProcessStats.sampleAfterGc();
        metrics.value("threadsBefore", before.threads()).value("rssBeforeBytes", before.rssBytes())
                .value("openFileLimit", MachineInfo.currentOpenFileLimit());
        if (idle > 0) openIdleConnections(before);
        else metrics.value("threadsWithIdle", before.threads()).value("idleOpened", 0);
    }

    private void openIdleConnections(ProcessStats before) throws IOException, InterruptedException, TimeoutException {
        fleet = IdleClientFleet.start(address, idle);
        long startedAt = fleet.awaitConnecting(START_TIMEOUT);
        Duration openTimeout = START_TIMEOUT.plusMillis(idle * 20L);
        int opened = fleet.awaitReady(openTimeout);
        if (!fleet.failure().isEmpty()) {
            System.out.println("idle clients stopped early after " + opened + ": " + fleet.failure());
        }
        // the child's connect() returns once the kernel queued the connection; count it when the server has it
        long acceptedAt = awaitConnections(opened, openTimeout);
        double seconds = (acceptedAt - startedAt) / 1e9;
        ProcessStats after = ProcessStats.sampleAfterGc();
        metrics.value("idleOpened", opened)
                .value("acceptRate", opened / seconds)
                .value("acceptSeconds", seconds)
                .value("threadsWithIdle", after.threads())
                .value("rssWithIdleBytes", after.rssBytes())
                .value("rssPerIdleBytes", (after.rssBytes() - before.rssBytes()) / (double) opened)
                .value("heapPerIdleBytes", (after.heapBytes() - before.heapBytes()) / (double) opened)
                .value("openFilesWithIdle", after.openFiles());
    }

    /** Polls the server until it serves {@code target} connections; returns the nanoTime when it did. */
    private long awaitConnections(int target, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int open = server.connections();
            long now = System.nanoTime();
            if (open >= target) return now;
            if (now > deadline) {
                throw new TimeoutException("server accepted only " + open + " of " + target + " idle connections");
            }
            Thread.sleep(5);
        }
    }

    /** Ten clients, two prompts each, all at once; the score is the time until the last one is done. */
    @Benchmark
    public int exchange() throws InterruptedException, IOException {
        ActiveClients.Result result = ActiveClients.run(address, ACTIVE_CLIENTS, EXCHANGE_TIMEOUT);
        if (result.completed() != ACTIVE_CLIENTS) {
            throw new IllegalStateException("only " + result.completed() + " of " + ACTIVE_CLIENTS
                    + " clients completed: " + result.firstError());
        }
        metrics.add("exchanges", 1).add("answers", result.answers()).add("pieces", result.pieces())
                .value("clientsCompleted", result.completed());
        return result.pieces();
    }

    /** Closes the idle connections, the server and the engine, and publishes the trial's measurements. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            metrics.value("threadsAtEnd", ProcessStats.currentThreads());
            metrics.publish();
        } finally {
            if (fleet != null) fleet.close();
            if (server != null) server.close();
            if (engine != null) engine.close();
        }
    }
}
