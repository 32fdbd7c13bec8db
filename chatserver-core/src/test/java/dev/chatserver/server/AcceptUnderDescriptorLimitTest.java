package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chatserver.testing.TestModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server out of file descriptors (a child JVM under {@code ulimit -n 128}) backs off instead of spinning, logs
 * about a line per second, refuses waiting clients with an error, serves its open connections, and accepts again
 * once descriptors are free.
 */
class AcceptUnderDescriptorLimitTest {

    /**
     * The child's open-file limit: room for the test class path's jars (about 130, each an open file once a class of
     * it loads) and the native libraries, and few enough that the flood below exhausts it quickly.
     */
    private static final int LIMIT = 512;
    private static final Duration EXHAUSTED = Duration.ofSeconds(3);

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void acceptBacksOffAndRefusesPolitelyWhileOpenConnectionsAreServed(ConnectionMode mode) throws Exception {
        Path bash = Path.of("/bin/bash");
        assumeTrue(Files.isExecutable(bash) && Files.isDirectory(Path.of("/proc/self/fd")),
                () -> "AcceptUnderDescriptorLimitTest needs bash and /proc (Linux): skipped");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String command = "ulimit -n " + LIMIT + " && exec '" + java + "' "
                + "--enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path") + "' "
                + FdLimitedServer.class.getName() + " " + mode + " '" + TestModels.tiny() + "'";
        Process child = new ProcessBuilder(bash.toString(), "-c", command).start();
        List<String> log = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> collect(child.getErrorStream(), log));
        List<Socket> flood = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String[] started = out.readLine().split(" ");
            int port = Integer.parseInt(started[1]);
            int used = Integer.parseInt(started[3]);

            try (WireClient kept = new WireClient(port)) {
                String hello = kept.ask("Hello").ok().text();
                // More clients than descriptors are left: the server's accepts start to fail.
                for (int i = 0; i < LIMIT - used + 40; i++) {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                    flood.add(socket);
                }
                Thread.sleep(500); // the server reaches its limit
                long logBefore = failureLines(log);
                Duration cpuBefore = cpu(child);
                Thread.sleep(EXHAUSTED.toMillis());
                Duration cpu = cpu(child).minus(cpuBefore);
                long lines = failureLines(log) - logBefore;
                System.out.printf("AcceptUnderDescriptorLimitTest %s: %d ms of CPU and %d log lines in %d s%n",
                        mode, cpu.toMillis(), lines, EXHAUSTED.toSeconds());
                assertThat(failureLines(log)).as("accept failures were logged").isPositive();
                assertThat(lines).as("about a line per second").isLessThanOrEqualTo(EXHAUSTED.toSeconds() + 2);
                assertThat(cpu).as("no spinning while out of descriptors").isLessThan(EXHAUSTED.dividedBy(3));
                assertThat(kept.ask("Hello").ok().text()).as("an open connection is served").isNotEmpty();
                assertThat(refusedPolitely(flood)).as("clients refused with the error").isPositive();

                for (Socket socket : flood) socket.close();
                flood.clear();
                Thread.sleep(500);
                try (WireClient late = new WireClient(port)) {
                    assertThat(late.ask("Hello").ok().text()).as("accepting again").isEqualTo(hello);
                }
            }
        } finally {
            for (Socket socket : flood) socket.close();
            child.getOutputStream().close();
            if (!child.waitFor(30, TimeUnit.SECONDS)) child.destroyForcibly();
        }
    }

    private static long failureLines(List<String> log) {
        return log.stream().filter(line -> line.contains("accept failed")).count();
    }

    private static Duration cpu(Process child) {
        // The child is bash exec'ed into java: the same process.
        return child.toHandle().info().totalCpuDuration().orElseThrow();
    }

    /** @return how many of the sockets received the out-of-descriptors error */
    private static int refusedPolitely(List<Socket> sockets) throws IOException {
        int refused = 0;
        for (Socket socket : sockets) {
            socket.setSoTimeout(20);
            try {
                byte[] buffer = new byte[256];
                int n = socket.getInputStream().read(buffer);
                if (n > 0 && new String(buffer, 0, n, StandardCharsets.UTF_8).contains(AcceptFailures.OUT_OF_DESCRIPTORS)) {
                    refused++;
                }
            } catch (SocketTimeoutException e) {
                // accepted and waiting for a prompt, or still in the backlog
            } catch (IOException e) {
                // closed with a reset
            }
        }
        return refused;
    }

    private static void collect(java.io.InputStream in, List<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) lines.add(line);
        } catch (IOException e) {
            lines.add("unreadable: " + e);
        }
    }
}
