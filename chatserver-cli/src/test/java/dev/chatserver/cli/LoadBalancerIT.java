package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.protocol.ClientMessage;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.protocol.ServerMessageReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server processes behind HAProxy (Debian's package), configured as {@code docs/deploy.md} says: 20 clients
 * (10 over TCP, 10 over WebSocket) are spread over both; one server is killed; HAProxy marks it down within its
 * health check interval and sends new connections to the other, whose conversations go on untouched, while the dead
 * one's clients see their connection end at once instead of waiting forever. Skipped, saying why, where HAProxy is
 * not installed.
 */
class LoadBalancerIT {

    private static final int MAX_TOKENS = 16;
    private static final int CLIENTS_PER_TRANSPORT = 10;
    /** How long a client waits for an answer, or for its connection to end, before the test calls it a hang. */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(60);
    private static final Pattern TCP_LINE =
            Pattern.compile("The server has been started, listening on: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern WEB_LINE = Pattern.compile("Chat in your browser: http://127\\.0\\.0\\.1:(\\d+)/");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    /** A chatserver process and its ports. */
    private record Server(String name, RunningCli process, int tcpPort, int webPort) {
        HaproxyConfig.Backend backend() {
            return new HaproxyConfig.Backend(name, tcpPort, webPort);
        }

        /** @return {@code chatserver_connections} for the transport, read from the server's own /metrics */
        int connections(String transport) throws Exception {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("^chatserver_connections\\{transport=\"" + transport + "\"} (\\S+)$",
                    Pattern.MULTILINE).matcher(metrics);
            assertThat(m.find()).as("connections of %s in the metrics of %s", transport, name).isTrue();
            return (int) Double.parseDouble(m.group(1));
        }
    }

    @Test
    void killingOneServerMovesNewConnectionsToTheOtherAndEndsOnlyItsOwnClients() throws Exception {
        requireHaproxy();
        Path model = dir.resolve("tiny.gguf");
        SyntheticModel.tiny().write(model);
        Server a = startServer("a", model);
        Server b = startServer("b", model);
        Process haproxy = null;
        List<Client> clients = new ArrayList<>();
        try {
            HaproxyConfig config = new HaproxyConfig(freePort(), freePort(), freePort(),
                    List.of(a.backend(), b.backend()));
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, config.text());
            haproxy = new ProcessBuilder(haproxyCommand, "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            Stats stats = new Stats(config.statsFrontend());
            awaitStatus(stats, haproxy, "a", "UP");
            awaitStatus(stats, haproxy, "b", "UP");

            // 20 clients through the balancer, each with a first exchange so that its conversation exists.
            for (int i = 0; i < CLIENTS_PER_TRANSPORT; i++) {
                clients.add(TcpClient.connect(config.tcpFrontend()));
                clients.add(WsClient.connect(config.webFrontend()));
            }
            Map<String, String> firstAnswers = new HashMap<>();
            for (Client client : clients) {
                Reply reply = client.ask("Hello");
                assertThat(reply.error()).as("first answer of %s", client).isEmpty();
                assertThat(reply.gone()).isFalse();
                firstAnswers.put(client.transport(), reply.text());
            }
            int onA = a.connections("tcp") + a.connections("websocket");
            int onB = b.connections("tcp") + b.connections("websocket");
            assertThat(a.connections("tcp") + b.connections("tcp")).isEqualTo(CLIENTS_PER_TRANSPORT);
            assertThat(a.connections("websocket") + b.connections("websocket")).isEqualTo(CLIENTS_PER_TRANSPORT);
            // leastconn spreads them: half each, give or take one while a health check held a connection.
            for (Server server : List.of(a, b)) {
                for (String transport : List.of("tcp", "websocket")) {
                    assertThat(server.connections(transport)).as("%s clients on %s", transport, server.name())
                            .isBetween(CLIENTS_PER_TRANSPORT / 2 - 1, CLIENTS_PER_TRANSPORT / 2 + 1);
                }
            }

            long killed = System.nanoTime();
            a.process().close(); // SIGKILL: a crash, no goodbye to anyone

            // Within the check interval HAProxy marks it down; from then on new connections all go to b.
            awaitStatus(stats, haproxy, "a", "DOWN");
            double downAfter = (System.nanoTime() - killed) / 1e9;
            System.out.printf("a marked down %.2f s after the kill (check interval %d ms)%n", downAfter,
                    HaproxyConfig.CHECK_INTERVAL_MS);
            assertThat(downAfter).as("seconds until HAProxy marked the dead server down")
                    .isLessThan(HaproxyConfig.CHECK_INTERVAL_MS / 1000.0 * 3 + 2.0);
            List<Client> late = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                late.add(TcpClient.connect(config.tcpFrontend()));
                late.add(WsClient.connect(config.webFrontend()));
            }
            for (Client client : late) {
                Reply reply = client.ask("Hello");
                assertThat(reply.gone()).as("new connection %s served", client).isFalse();
                assertThat(reply.error()).isEmpty();
                assertThat(reply.text()).isEqualTo(firstAnswers.get(client.transport()));
            }
            assertThat(b.connections("tcp") + b.connections("websocket")).isEqualTo(onB + late.size());
            late.forEach(Client::close);

            // The old clients: b's go on with their conversations; a's see their connection end, none hangs.
            int survivors = 0;
            int ended = 0;
            Map<String, String> secondAnswers = new HashMap<>();
            for (Client client : clients) {
                Reply reply = client.ask("Tell me more.");
                if (reply.gone()) {
                    ended++;
                    continue;
                }
                survivors++;
                assertThat(reply.error()).as("second answer of %s", client).isEmpty();
                assertThat(reply.text()).isNotEmpty();
                String before = secondAnswers.putIfAbsent(client.transport(), reply.text());
                if (before != null) assertThat(reply.text()).as("same conversation, same answer").isEqualTo(before);
            }
            assertThat(survivors).isEqualTo(onB);
            assertThat(ended).isEqualTo(onA);
        } finally {
            clients.forEach(Client::close);
            if (haproxy != null) {
                haproxy.destroyForcibly();
                haproxy.waitFor(10, TimeUnit.SECONDS);
                System.out.println("haproxy's output:\n" + Files.readString(dir.resolve("haproxy.log")));
            }
            a.process().close();
            b.process().close();
        }
    }

    /** The configuration in {@code docs/deploy.md} is one HAProxy accepts as it stands. */
    @Test
    void theDeployGuidesConfigurationIsValid() throws Exception {
        requireHaproxy();
        Path guide = Path.of(System.getProperty("basedir", "."), "..", "docs", "deploy.md").normalize();
        String text = Files.readString(guide);
        Matcher block = Pattern.compile("```haproxy\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertThat(block.find()).as("a haproxy block in %s", guide).isTrue();
        Path cfg = dir.resolve("deploy.cfg");
        Files.writeString(cfg, block.group(1));
        Process check = new ProcessBuilder(haproxyCommand, "-c", "-f", cfg.toString()).redirectErrorStream(true)
                .start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(out).isZero();
        assertThat(out).contains("Configuration file is valid");
    }

    /** The haproxy command: on the PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
    private static String haproxyCommand = "haproxy";

    private static void requireHaproxy() {
        List<String> tried = new ArrayList<>();
        for (String candidate : List.of("haproxy", "/usr/sbin/haproxy")) {
            try {
                Process version = new ProcessBuilder(candidate, "-v").redirectErrorStream(true).start();
                String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (version.waitFor() == 0) {
                    haproxyCommand = candidate;
                    return;
                }
                tried.add(candidate + ": " + out.strip());
            } catch (IOException e) {
                tried.add(candidate + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        String why = "HAProxy is not installed (Debian's package haproxy; .ci/run installs it): " + tried;
        System.err.println("LoadBalancerIT skipped: " + why);
        abort(why);
    }

    private static Server startServer(String name, Path model) throws Exception {
        RunningCli process = RunningCli.start("server", "-m", model.toString(), "--port", "0", "--web-port", "0",
                "--max-tokens", String.valueOf(MAX_TOKENS), "--threads", "1", "--parallel", "4",
                "--allow-host", "127.0.0.1");
        Matcher tcp = TCP_LINE.matcher(process.nextLine());
        Matcher web = WEB_LINE.matcher(process.nextLine());
        assertThat(tcp.matches() && web.matches()).as("start lines of server " + name).isTrue();
        return new Server(name, process, Integer.parseInt(tcp.group(1)), Integer.parseInt(web.group(1)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Waits until HAProxy reports the server with that status in both backends. */
    private static void awaitStatus(Stats stats, Process haproxy, String server, String status) throws Exception {
        long deadline = System.nanoTime() + CliRun.TIMEOUT.toNanos();
        while (true) {
            assertThat(haproxy.isAlive()).as("haproxy runs").isTrue();
            Optional<Map<String, String>> now = stats.statuses(server);
            if (now.isPresent() && now.get().values().stream().allMatch(s -> s.startsWith(status))
                    && now.get().size() == 2) {
                return;
            }
            assertThat(System.nanoTime()).as("%s %s within %s, last %s", server, status, CliRun.TIMEOUT, now)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** HAProxy's statistics in CSV: the status of each server in each backend. */
    private record Stats(int port) {
        /** @return backend name to status (UP, DOWN, ...) of that server; empty while HAProxy does not answer */
        Optional<Map<String, String>> statuses(String server) {
            String csv;
            try {
                csv = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats;csv"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            List<String> lines = csv.lines().toList();
            if (lines.isEmpty() || !lines.getFirst().startsWith("# ")) return Optional.empty();
            List<String> header = List.of(lines.getFirst().substring(2).split(",", -1));
            int status = header.indexOf("status");
            Map<String, String> result = new HashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.split(",", -1);
                if (fields.length > status && fields[1].equals(server)) result.put(fields[0], fields[status]);
            }
            return Optional.of(result);
        }
    }

    /**
     * What a client saw for one prompt.
     *
     * @param text  the pieces joined
     * @param error the end message's error
     * @param gone  true when the connection ended instead of an end message
     */
    private record Reply(String text, Optional<String> error, boolean gone) {
        static Reply lost(String text) {
            return new Reply(text, Optional.empty(), true);
        }
    }

    /** One client connection through the balancer; used by the test thread. */
    private sealed interface Client extends AutoCloseable {
        /** @return {@code tcp} or {@code websocket} */
        String transport();

        /** Sends a prompt and waits for its answer or for the connection to end, at most {@link #ANSWER_WAIT}. */
        Reply ask(String prompt) throws Exception;

        @Override
        void close();
    }

    private static final class TcpClient implements Client {
        private final Socket socket;
        private final ServerMessageReader reader;

        private TcpClient(Socket socket) throws IOException {
            this.socket = socket;
            this.reader = ServerMessageReader.over(socket.getInputStream());
        }

        static TcpClient connect(int port) throws IOException {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) ANSWER_WAIT.toMillis());
            return new TcpClient(socket);
        }

        @Override
        public String transport() {
            return "tcp";
        }

        @Override
        public Reply ask(String prompt) throws Exception {
            StringBuilder text = new StringBuilder();
            try {
                OutputStream out = socket.getOutputStream();
                out.write(MessageCodec.encode(new ClientMessage.Prompt(prompt, true)).getBytes(StandardCharsets.UTF_8));
                out.flush();
                while (true) {
                    Optional<ServerMessage> message = reader.next();
                    if (message.isEmpty()) return Reply.lost(text.toString());
                    switch (message.get()) {
                        case ServerMessage.Piece piece -> text.append(piece.token());
                        case ServerMessage.End end -> {
                            return new Reply(text.toString(), end.error(), false);
                        }
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("TCP client hangs: nothing within " + ANSWER_WAIT, e);
            } catch (IOException e) {
                return Reply.lost(text.toString()); // reset by the balancer: the connection ended
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public String toString() {
            return "tcp client " + socket.getLocalPort();
        }
    }

    private static final class WsClient implements Client, WebSocket.Listener {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<String> ended = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static WsClient connect(int port) {
            WsClient client = new WsClient();
            client.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), client).join();
            return client;
        }

        @Override
        public String transport() {
            return "websocket";
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            ended.complete("closed " + statusCode);
            messages.add("");
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ended.complete("failed " + error);
            messages.add("");
        }

        @Override
        public Reply ask(String prompt) throws Exception {
            StringBuilder text = new StringBuilder();
            try {
                socket.sendText(MessageCodec.encode(new ClientMessage.Prompt(prompt, true)),
                        true).get(ANSWER_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                return Reply.lost("");
            }
            long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
            while (true) {
                String json = messages.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (json == null) throw new AssertionError("WebSocket client hangs: nothing within " + ANSWER_WAIT);
                if (json.isEmpty()) return Reply.lost(text.toString());
                try {
                    switch (MessageCodec.decodeServer(json)) {
                        case ServerMessage.Piece piece -> text.append(piece.token());
                        case ServerMessage.End end -> {
                            return new Reply(text.toString(), end.error(), false);
                        }
                    }
                } catch (ProtocolException e) {
                    throw new AssertionError("not a server message: " + json, e);
                }
            }
        }

        @Override
        public void close() {
            socket.abort();
        }

        @Override
        public String toString() {
            return "websocket client " + System.identityHashCode(this);
        }
    }
}
