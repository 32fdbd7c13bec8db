package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.protocol.ServerMessageReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's launcher behaves like the server process, as the SocketLab's grader needs: it starts and stops servers
 * one after another on the same ports (SIGTERM, wait for the process, start the next), and a launcher killed with
 * SIGKILL leaves no server behind. Runs the story model when it is present, else the tiny synthetic one.
 *
 * <p>The number of start-stop cycles is the system property {@value #CYCLES_PROPERTY} (the suite runs a few; the
 * release check runs 50).
 */
class LauncherLifecycleIT {

    static final String CYCLES_PROPERTY = "chatserver.launcherCycles";
    private static final String LISTENING = "The server has been started, listening on: 127.0.0.1:";
    private static final String GONE = "is gone: stopping";

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void chooseModel() throws IOException {
        model = CliRun.storyModelOrTiny(dir);
    }

    @Test
    void startAnswerSigtermWaitRepeatedOnTheSamePortsServesEveryTime() throws Exception {
        int cycles = Integer.getInteger(CYCLES_PROPERTY, 5);
        int port = CliRun.freePort();
        int webPort = CliRun.freePort();
        List<Long> listeningMillis = new ArrayList<>();
        for (int cycle = 0; cycle < cycles; cycle++) {
            long start = System.nanoTime();
            try (RunningCli server = startServer(port, webPort)) {
                assertThat(server.nextLine()).as("cycle %d", cycle).isEqualTo(LISTENING + port);
                listeningMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                assertThat(askOnce(port)).as("cycle %d: the answer", cycle).isNotEmpty();

                server.terminate();
                assertThat(server.awaitExit(Duration.ofSeconds(10))).as("cycle %d: exit code", cycle).isZero();
                assertThat(server.handle().descendants().filter(ProcessHandle::isAlive).toList())
                        .as("cycle %d: processes left after the launcher exited", cycle).isEmpty();
                assertFree(port);
                assertFree(webPort);
            }
        }
        System.out.printf("%d cycles; start to listening line (ms): %s%n", cycles, listeningMillis);
    }

    @Test
    void aLauncherKilledWithSigkillTakesItsServerWithItWithinASecond() throws Exception {
        int port = CliRun.freePort();
        int webPort = CliRun.freePort();
        try (RunningCli server = startServer(port, webPort)) {
            assertThat(server.nextLine()).isEqualTo(LISTENING + port);
            Optional<ProcessHandle> child = server.handle().children().findFirst();
            if (child.isEmpty()) {
                // A jar built without its cache (-Daot.skip) runs the server in the launcher's JVM: SIGKILL ends it.
                assertThat(CliRun.cacheBeside(CliRun.jar())).as("no child JVM although the cache is there").isFalse();
                server.handle().destroyForcibly();
                assertThat(server.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
                System.out.println("the server ran in the launcher's JVM (no cache beside the jar): SIGKILL ended it");
                assertFree(port);
                assertFree(webPort);
                return;
            }

            long killed = System.nanoTime();
            server.handle().destroyForcibly(); // SIGKILL, which the launcher cannot pass on
            server.awaitStderr(GONE);
            Duration noticed = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(child.get().onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
            Duration exited = Duration.ofNanos(System.nanoTime() - killed);
            System.out.printf("launcher killed: the server noticed after %d ms and exited after %d ms%n",
                    noticed.toMillis(), exited.toMillis());

            assertThat(noticed).as("time until the server noticed").isLessThan(Duration.ofSeconds(1));
            assertFree(port);
            assertFree(webPort);
            assertThat(server.stderr()).doesNotContain("Exception");
        }
    }

    private static RunningCli startServer(int port, int webPort) throws IOException {
        return RunningCli.start("server", "-m", model.toString(), "--port", String.valueOf(port), "--web-port",
                String.valueOf(webPort), "--max-tokens", "16", "--ctx", "256", "--parallel", "1");
    }

    /** @return the answer to one prompt, read with our framing-tolerant reader */
    private static String askOnce(int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) CliRun.TIMEOUT.toMillis());
            socket.getOutputStream().write("{\"token\": \"Once upon a time\", \"eog\": true}"
                    .getBytes(StandardCharsets.UTF_8));
            ServerMessageReader reader = ServerMessageReader.over(socket.getInputStream());
            StringBuilder text = new StringBuilder();
            while (true) {
                ServerMessage message = reader.next().orElseThrow(() -> new AssertionError("closed early"));
                if (message instanceof ServerMessage.Piece piece) {
                    text.append(piece.token());
                } else {
                    assertThat(((ServerMessage.End) message).error()).isEmpty();
                    return text.toString();
                }
            }
        }
    }

    private static void assertFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }
}
