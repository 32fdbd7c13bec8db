package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.chatserver.engine.ChatEngine;
import dev.chatserver.testing.TestEngines;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Thousands of idle connections that their clients close together give their threads back at once, in every mode,
 * without the server burning CPU afterwards; a new client is answered right after.
 *
 * <p>Threads are counted as the kernel sees them ({@code Threads:} of {@code /proc/self/status}, where there is one):
 * a platform thread whose Java code has returned still exists until the JVM has torn it down, and that is what the
 * test waits for. Virtual connection threads are not kernel threads; for them the server's connection count and the
 * engine's open sessions say that they ended. The server's log lines are counted, not printed: under the test
 * runner's redirected output, printing thousands of lines costs more CPU than the connections do.
 */
class ConnectionThreadReleaseTest {

    /** The most connections opened: both ends live in this JVM, so each costs two file descriptors. */
    private static final int MAX_CONNECTIONS = 3000;
    /** How soon after the last client closed its socket the server's threads must be back near the baseline. */
    private static final Duration RELEASED = Duration.ofSeconds(2);
    /** Threads above the baseline still counted as "back": pool threads a loaded machine may keep briefly. */
    private static final int SLACK = 16;
    /** CPU time of the whole process per second of {@link #RELEASED} after the clients closed, at most. */
    private static final double MAX_CPU_PER_SECOND = 1.0;

    private static ChatEngine engine;
    private static String hello;

    @BeforeAll
    static void startEngine() {
        engine = TestEngines.start(1, b -> b);
        hello = TestEngines.direct(engine, "Hello").getFirst();
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void threadsEndPromptlyWhenIdleConnectionsCloseTogether(ConnectionMode mode) throws Exception {
        int n = connectionsWithinFileLimit();
        assumeTrue(n >= 100, () -> "the open-file limit leaves room for only " + n + " connections");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Logger serverLog = Logger.getLogger(ChatServer.class.getPackageName());
        CloseCounter closes = new CloseCounter();
        boolean parents = serverLog.getUseParentHandlers();
        serverLog.setUseParentHandlers(false);
        serverLog.addHandler(closes);
        List<Socket> idle = new ArrayList<>();
        try (ChatServer server = ChatServer.builder(engine).port(0).mode(mode).start()) {
            // Threads started lazily by a first connection and its answer belong to the baseline.
            assertAnswered(server);
            // The engine's stats are a snapshot its thread publishes after it has handled the session's close.
            TestEngines.eventually("the first client's connection and session closed", () -> server.connections() == 0
                    && closes.count.get() == 1 && engine.stats().openSessions() == 0);
            int baseline = liveThreads();
            try {
                long openStart = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Socket socket = new Socket();
                    idle.add(socket);
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                }
                TestEngines.eventually("the server counts " + n + " connections", () -> server.connections() == n);
                int open = liveThreads();
                long closeStart = System.nanoTime();

                for (Socket socket : idle) socket.close();
                long closedAt = System.nanoTime();
                long cpuAtClose = os.getProcessCpuTime();

                long deadline = closedAt + RELEASED.toNanos();
                long releasedAt = -1;
                while (System.nanoTime() < deadline) {
                    if (releasedAt < 0 && server.connections() == 0 && engine.stats().openSessions() == 0
                            && liveThreads() <= baseline + SLACK) {
                        releasedAt = System.nanoTime();
                    }
                    Thread.sleep(10);
                }
                double cpuPerSecond = (os.getProcessCpuTime() - cpuAtClose) / (double) (System.nanoTime() - closedAt);
                int left = liveThreads();
                System.out.printf("%s: %d connections opened in %d ms, closed in %d ms; threads %d before, %d open,"
                                + " %s after the last close, %d at %s; %.2f s of CPU per second since%n", mode, n,
                        (closeStart - openStart) / 1_000_000, (closedAt - closeStart) / 1_000_000, baseline, open,
                        releasedAt < 0 ? "not back" : "back within " + (releasedAt - closedAt) / 1_000_000 + " ms",
                        left, RELEASED, cpuPerSecond);

                assertThat(releasedAt)
                        .as("%s: within %s of the clients closing, no connection (%d left), no session (%d"
                                        + " open) and threads back near %d (%d live; %d while open)", mode,
                                RELEASED, server.connections(), engine.stats().openSessions(), baseline,
                                left, open)
                        .isNotNegative();
                assertThat(cpuPerSecond).as("%s: seconds of CPU per second after the clients closed", mode)
                        .isLessThan(MAX_CPU_PER_SECOND);
                assertThat(closes.count.get() - 1).as("%s: connections that logged their close", mode).isEqualTo(n);
            } finally {
                for (Socket socket : idle) socket.close();
            }
            assertAnswered(server);
        } finally {
            serverLog.removeHandler(closes);
            serverLog.setUseParentHandlers(parents);
        }
    }

    private static void assertAnswered(ChatServer server) {
        try (WireClient client = new WireClient(server.port())) {
            assertThat(client.ask("Hello").ok().text()).isEqualTo(hello);
        }
    }

    /** @return connections to open: {@link #MAX_CONNECTIONS}, or fewer when the open-file limit is lower */
    private static int connectionsWithinFileLimit() {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix)) {
            return MAX_CONNECTIONS;
        }
        long spare = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - 256;
        return (int) Math.min(MAX_CONNECTIONS, spare / 2);
    }

    /**
     * @return the process's threads as the kernel counts them, where {@code /proc} says; else the JVM's live platform
     *         threads
     */
    private static int liveThreads() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (Files.isReadable(status)) {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Threads:")) return Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Counts the server's "connection ... closed" lines instead of printing them. Any thread. */
    private static final class CloseCounter extends Handler {
        final AtomicInteger count = new AtomicInteger();

        CloseCounter() {
            setLevel(Level.INFO);
        }

        @Override
        public void publish(LogRecord record) {
            if (isLoggable(record) && record.getMessage().startsWith("connection {0} closed")) count.incrementAndGet();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
