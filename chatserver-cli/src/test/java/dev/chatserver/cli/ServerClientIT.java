package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.ReplyListener;
import dev.chatserver.gguf.SyntheticModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server and client commands end to end through the packaged jar: a server process on ephemeral ports with the
 * synthetic model, the client process fed by a pipe, compared with the engine's answer in this JVM.
 */
class ServerClientIT {

    /** Keeps answers short; the server and the in-process engine get the same value. */
    private static final int MAX_TOKENS = 24;
    private static final Pattern START_LINE =
            Pattern.compile("The server has been started, listening on: 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    static Path dir;
    static Path model;
    private static final Map<String, String> answers = new HashMap<>();

    @BeforeAll
    static void writeModel() throws IOException {
        model = dir.resolve("tiny.gguf");
        SyntheticModel.tiny().write(model);
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "platform", "selector"})
    void pipedClientGetsTheEnginesAnswerAndTheServerStopsOnSigterm(String mode) throws Exception {
        String expected = answerInProcess("Hello");

        try (RunningCli server = startServer("--mode", mode)) {
            int port = awaitStart(server);
            assertThat(server.nextLine()).matches("Chat in your browser: http://127\\.0\\.0\\.1:\\d+/");

            CliRun.Result client = CliRun.runWithInput("Hello\n", "client", "--port", String.valueOf(port));

            assertThat(client.exitCode()).as(client.stderr()).isZero();
            assertThat(client.stdoutLines()).containsExactly("Connected to 127.0.0.1:" + port, "> " + expected);
            assertThat(client.stderr()).isEmpty();

            server.terminate();
            // The 5 s are the server's promise: its close() is bounded by a grace period.
            assertThat(server.awaitExit(Duration.ofSeconds(5))).isZero();
            assertThat(server.stderr()).doesNotContain("Exception");
            assertNoJvmWarnings(server.stderr());
        }
    }

    @Test
    void clientWhoseServerGoesAwayExitsNonZeroWithOneLine() throws Exception {
        try (RunningCli server = startServer()) {
            int port = awaitStart(server);
            try (RunningCli client = RunningCli.start("client", "--port", String.valueOf(port))) {
                assertThat(client.nextLine()).isEqualTo("Connected to 127.0.0.1:" + port);
                client.type("Hello\n");
                assertThat(client.nextLine()).startsWith("> ");

                server.terminate();
                assertThat(server.awaitExit(CliRun.TIMEOUT)).isZero();
                client.type("Are you there?\n");

                assertThat(client.awaitExit(CliRun.TIMEOUT)).isEqualTo(1);
                assertThat(client.stderr().lines().toList()).singleElement().asString().startsWith("error: ");
            }
        }
    }

    @Test
    void clientWithoutServerExitsNonZeroWithOneLine() throws Exception {
        int port;
        try (var probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort(); // free again once closed: nobody listens there
        }

        CliRun.Result client = CliRun.runWithInput("Hello\n", "client", "--port", String.valueOf(port));

        assertThat(client.exitCode()).isEqualTo(1);
        assertThat(client.stderrLines()).singleElement().asString()
                .startsWith("error: cannot connect to 127.0.0.1:" + port);
    }

    @Test
    void serverWithAMissingModelExitsWith2AndSaysHowToGetOne() throws Exception {
        Path missing = dir.resolve("absent.gguf");

        CliRun.Result result = CliRun.run("server", "-m", missing.toString(), "--port", "0", "--no-web");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString()
                .contains(missing.toString(), "-m", "model pull");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void aServerThatDraftsTokensGivesTheSameAnswerAndRefusesANegativeCount() throws Exception {
        String expected = answerInProcess("Hello");
        try (RunningCli server = startServer("--draft-tokens", "8", "--no-web")) {
            int port = awaitStart(server);
            CliRun.Result client = CliRun.runWithInput("Hello\n", "client", "--port", String.valueOf(port));
            assertThat(client.exitCode()).as(client.stderr()).isZero();
            assertThat(client.stdoutLines()).containsExactly("Connected to 127.0.0.1:" + port, "> " + expected);
            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(5))).isZero();
        }
        CliRun.Result refused = CliRun.run("server", "-m", model.toString(), "--draft-tokens", "-1", "--no-web");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderrLines()).singleElement().asString().startsWith("error: ").contains("--draft-tokens");
    }

    @Test
    void serverRejectsBadValuesWithExitCode2BeforeLookingForTheModel() throws Exception {
        CliRun.Result result = CliRun.run("server", "-m", dir.resolve("absent.gguf").toString(),
                "--parallel", "0", "--no-web");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString().startsWith("error: ").contains("parallel");
    }

    @Test
    void maxConnectionsLimitsTcpAndWebSocketConnectionsEach() throws Exception {
        String hello = "{\"token\":\"Hello\",\"eog\":true}\n";
        String tooMany = "{\"token\":\"\",\"eog\":true,\"error\":\"too many connections\"}";
        try (RunningCli server = startServer("--max-connections", "1")) {
            int port = awaitStart(server);
            URI page = URI.create(server.nextLine().substring("Chat in your browser: ".length()));
            try (Socket served = new Socket(InetAddress.getLoopbackAddress(), port);
                 Socket refused = new Socket(InetAddress.getLoopbackAddress(), port)) {
                served.getOutputStream().write(hello.getBytes(StandardCharsets.UTF_8));
                assertThat(lines(served).filter(line -> line.contains("\"eog\":true")).findFirst())
                        .as("the first TCP connection is served").get().asString()
                        .startsWith("{\"token\":\"\",\"eog\":true").doesNotContain("error");
                assertThat(lines(refused).toList()).as("the second TCP connection").containsExactly(tooMany);

                URI ws = URI.create("ws://" + page.getAuthority() + "/ws");
                FirstMessage webServed = FirstMessage.open(ws, hello.strip());
                assertThat(webServed.message.get(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                        .as("the first WebSocket is answered while TCP is full").contains("\"eog\":false");
                FirstMessage webRefused = FirstMessage.open(ws, null);
                assertThat(webRefused.message.get(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(tooMany);
                assertThat(webRefused.closeCode.get(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1013);
            }
            server.terminate();
            assertThat(server.awaitExit(CliRun.TIMEOUT)).isZero();
            assertThat(server.stderr()).doesNotContain("Exception");
        }
    }

    /** @return the lines a TCP connection receives, until the server closes it */
    private static java.util.stream.Stream<String> lines(Socket socket) throws IOException {
        socket.setSoTimeout((int) CliRun.TIMEOUT.toMillis());
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).lines();
    }

    /** A WebSocket's first whole text message and its close code, completed by the JDK's WebSocket thread. */
    private static final class FirstMessage implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        final CompletableFuture<String> message = new CompletableFuture<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

        /** @param send a message to send once open, or null */
        static FirstMessage open(URI uri, String send) {
            FirstMessage listener = new FirstMessage();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, listener).join();
            if (send != null) socket.sendText(send, true).join();
            return listener;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (!message.isDone()) text.append(data);
            if (last) message.complete(text.toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            message.completeExceptionally(new AssertionError("closed " + statusCode + " before a message"));
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            message.completeExceptionally(error);
            closeCode.completeExceptionally(error);
        }
    }

    private static RunningCli startServer(String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("server", "-m", model.toString(), "--port", "0",
                "--web-port", "0", "--max-tokens", String.valueOf(MAX_TOKENS)));
        args.addAll(List.of(more));
        return RunningCli.start(args.toArray(String[]::new));
    }

    private static int awaitStart(RunningCli server) throws InterruptedException {
        String line = server.nextLine();
        Matcher start = START_LINE.matcher(line);
        assertThat(start.matches()).as("start line: " + line).isTrue();
        return Integer.parseInt(start.group(1));
    }

    /** The answer of a fresh session of an engine with the server's settings, in this JVM (computed once). */
    private static synchronized String answerInProcess(String prompt) throws InterruptedException {
        return answers.containsKey(prompt) ? answers.get(prompt) : computeAnswer(prompt);
    }

    private static String computeAnswer(String prompt) throws InterruptedException {
        EngineConfig config = EngineConfig.builder(model).maxTokens(MAX_TOKENS).build();
        StringBuilder text = new StringBuilder();
        try (ChatEngine engine = ChatEngine.create(config); ChatSession session = engine.openSession()) {
            Completion completion = session.send(prompt, new ReplyListener() {
                @Override
                public void onText(String piece) {
                    synchronized (text) {
                        text.append(piece);
                    }
                }

                @Override
                public void onComplete(Completion done) {
                }
            }).await(CliRun.TIMEOUT).orElseThrow(() -> new AssertionError("no answer within " + CliRun.TIMEOUT));
            assertThat(completion.isSuccess()).as(completion.toString()).isTrue();
        }
        synchronized (text) {
            assertThat(text).isNotEmpty();
            answers.put(prompt, text.toString());
            return text.toString();
        }
    }

    /** The JVM prints its warnings (native access, preview, Unsafe) as lines starting with "WARNING:". */
    static void assertNoJvmWarnings(String stderr) {
        List<String> warnings = stderr.lines().filter(line -> line.startsWith("WARNING:")).toList();
        assertThat(warnings).isEmpty();
    }
}
