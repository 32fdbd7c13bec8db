package dev.chatserver.cli;

import dev.chatserver.gguf.SyntheticModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run of the jar's ahead-of-time cache (JDK 25's {@code -XX:AOTCacheOutput}, JEP 483/514/515), run by
 * the build once the jar is packaged: starts {@code chatserver server} on a synthetic model and free ports, asks one
 * question over TCP, loads the chat page and {@code /api/info}, then stops the server with SIGTERM as a user would.
 * The classes loaded and linked on the way, and the method profiles, go into {@code chatserver-cli.aot} beside the
 * jar, which the {@link Launcher} passes to the JVM it starts: that JVM then starts listening sooner.
 *
 * <p>Not part of the command line. Runs on the main thread (the server) and one platform thread (the client).
 */
final class AotTraining {

    private AotTraining() {
    }

    /**
     * Runs the training.
     *
     * @param args ignored
     * @throws Exception if the model cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("chatserver-aot-training");
        int code;
        try {
            Path model = dir.resolve("tiny.gguf");
            SyntheticModel.tiny().write(model);
            int port = freePort();
            int webPort = freePort();
            Thread client = Thread.ofPlatform().name("aot-training-client").start(() -> exercise(port, webPort));
            code = Main.run(new String[] {"server", "-m", model.toString(), "--port", String.valueOf(port),
                    "--web-port", String.valueOf(webPort), "--no-pull", "--max-tokens", "16"});
            client.join();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(file);
            }
        }
        System.exit(code);
    }

    /** The client thread: one question, two pages, then SIGTERM; SIGTERM too when something fails. */
    private static void exercise(int port, int webPort) {
        try {
            ask(port);
            get(webPort, "/");
            get(webPort, "/api/info");
        } catch (IOException | InterruptedException e) {
            System.err.println("AOT training: " + e);
        } finally {
            OsSignals.raise("TERM");
        }
    }

    private static void ask(int port) throws IOException, InterruptedException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write("{\"token\": \"Hello\", \"eog\": true}".getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[1024];
            while (seen.indexOf("\"eog\":true") < 0) {
                int n = in.read(buffer);
                if (n < 0) break;
                seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        }
    }

    private static void get(int port, String path) throws IOException, InterruptedException {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5_000);
            try {
                socket.getInputStream().readAllBytes();
            } catch (SocketTimeoutException keptOpen) {
                // the page came; the connection was kept open
            }
        }
    }

    /** Connects once the server listens, trying for a minute. */
    private static Socket connect(int port) throws IOException, InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                socket.setSoTimeout(60_000);
                return socket;
            } catch (IOException e) {
                socket.close();
                if (System.nanoTime() > end) throw e;
                Thread.sleep(20);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
