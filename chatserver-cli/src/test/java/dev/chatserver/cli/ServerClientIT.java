package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.ReplyListener;
import dev.chatserver.gguf.SyntheticModel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    void serverRejectsBadValuesWithExitCode2BeforeLookingForTheModel() throws Exception {
        CliRun.Result result = CliRun.run("server", "-m", dir.resolve("absent.gguf").toString(),
                "--parallel", "0", "--no-web");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).singleElement().asString().startsWith("error: ").contains("parallel");
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
