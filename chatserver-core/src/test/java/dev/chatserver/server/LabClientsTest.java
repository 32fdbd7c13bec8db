package dev.chatserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SocketLab's way of reading, by our own Python client ({@code lab_clients.py}): {@code recv(1024)} and
 * {@code json.loads} on each chunk, no framing. Against the story model, which makes tokens far faster than such a
 * client reads, in every connection mode and with the default message interval: 10 clients at once (processes),
 * two prompts each, 20 times, with every transcript equal to a framing-tolerant client's and no parse error (on an
 * overloaded machine, none that the server's pacing could have prevented); and the lab's concurrency check with
 * 1024 idle connections.
 *
 * <p>Needs {@code python3} on the PATH; without it the tests fail and say so (the lab's clients are Python, and a
 * silent skip would leave the claim untested).
 */
class LabClientsTest {

    private static final int CLIENTS = 10;
    private static final int REPEATS = 20;
    private static final int IDLE = 1024;
    /** The lab's threshold for the extra time 1024 idle connections may cost the 10 clients. */
    private static final double LAB_THRESHOLD_SECONDS = 5.0;
    /** Load average per core above which the clients themselves may not read for a whole message interval. */
    private static final double OVERLOADED_PER_CORE = 2.0;

    @TempDir
    static Path dir;
    private static Path script;
    private static ChatEngine engine;
    private static final List<String> WORDS =
            List.of("dog", "cat", "girl", "boy", "bird", "king", "tree", "ball", "fish", "sun");
    /** Per client, its two prompts. */
    private static final List<List<String>> PROMPTS = IntStream.range(0, CLIENTS)
            .mapToObj(i -> List.of("Once upon a time there was a " + WORDS.get(i), "What did the " + WORDS.get(i)
                    + " do next?"))
            .toList();

    @BeforeAll
    static void start() throws IOException {
        script = dir.resolve("lab_clients.py");
        try (InputStream in = LabClientsTest.class.getResourceAsStream("lab_clients.py")) {
            Files.copy(in, script);
        }
        engine = TestEngines.start(TestModels.storiesOrSkip(), CLIENTS, b -> b.maxTokens(24));
    }

    @AfterAll
    static void stop() {
        if (engine != null) engine.close();
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void tenLabClientsAtOnceReadEveryMessageWithOneRecvAndJsonLoads(ConnectionMode mode) throws Exception {
        try (ChatServer server = ChatServer.builder(engine).port(0).mode(mode).start()) {
            List<List<String>> expected = new ArrayList<>();
            for (List<String> prompts : PROMPTS) expected.add(framingTolerant(server.port(), prompts));

            double loadBefore = loadPerCore();
            List<JsonObject> lines = python("transcripts", server.port(), REPEATS,
                    ChatServer.DEFAULT_MIN_MESSAGE_INTERVAL.toMillis());
            double load = Math.max(loadBefore, loadPerCore());

            assertThat(lines).hasSize(CLIENTS * REPEATS);
            long reads = 0;
            List<String> late = new ArrayList<>();
            for (JsonObject line : lines) {
                String where = mode + ", repeat " + line.getInt("repeat") + ", client " + line.getInt("client");
                assertThat(line.containsKey("failure")).as(where + ": " + line).isFalse();
                assertThat(line.getInt("unpaced", 0)).as(where + ": reads with two messages sooner than the"
                        + " interval after the read before: " + line.get("refused")).isZero();
                if (line.getInt("parse_errors") > 0) late.add(where + ": " + line.get("refused"));
                List<String> answers = line.getJsonArray("answers").getValuesAs(JsonString.class).stream()
                        .map(JsonString::getString).toList();
                assertThat(answers).as(where).isEqualTo(expected.get(line.getInt("client")));
                reads += line.getInt("reads");
            }
            System.out.printf("%s: %d lab-client answers, %d reads, %d answers with a read json.loads refused"
                    + " (load average per core %.1f)%n", mode, lines.size() * 2, reads, late.size(), load);
            // Every refused read came after the client had not read for a whole interval (checked above). A client
            // that reads every few milliseconds never has that; on a machine with more runnable threads than
            // twice its cores the clients themselves are not scheduled that often, so there it is only reported.
            if (load < OVERLOADED_PER_CORE) {
                assertThat(late).as("answers with a read json.loads refused").isEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ConnectionMode.class)
    void theLabsConcurrencyCheckPassesFarBelowItsThreshold(ConnectionMode mode) throws Exception {
        try (ChatServer server = ChatServer.builder(engine).port(0).mode(mode).start()) {
            List<JsonObject> lines = python("concurrency", server.port(), IDLE, List.of(), (line, stdin) -> {
                if (line.containsKey("idle_open")) {
                    TestEngines.eventually("the server accepted the idle connections",
                            () -> server.connections() >= IDLE);
                    stdin.write("go\n");
                    stdin.flush();
                }
            });
            JsonObject times = lines.getLast();

            assertThat(times.getJsonArray("failures")).as("failed clients").isEmpty();
            double without = times.getJsonNumber("without_idle").doubleValue();
            double with = times.getJsonNumber("with_idle").doubleValue();
            System.out.printf("%s: 10 clients x 2 prompts in %.3f s, with %d idle connections in %.3f s%n", mode,
                    without, IDLE, with);
            // The lab passes below 5 s of difference; 1.5 s leaves room for a loaded machine, where the best of
            // three 10-client rounds still varies by about a second.
            assertThat(with - without).as("extra seconds with %d idle connections", IDLE)
                    .isLessThan(LAB_THRESHOLD_SECONDS * 0.3);
        }
    }

    /** @return the answers to the prompts on one connection, read by our framing-tolerant client */
    private static List<String> framingTolerant(int port, List<String> prompts) {
        try (WireClient client = new WireClient(port)) {
            return prompts.stream().map(prompt -> client.ask(prompt).ok().text()).toList();
        }
    }

    /** Runs the Python clients to the end; @return the JSON objects they printed, one per line */
    private static List<JsonObject> python(String command, int port, int number, long intervalMillis)
            throws Exception {
        return python(command, port, number, List.of(String.valueOf(intervalMillis)), (line, stdin) -> { });
    }

    /** @return the system's load average per core over the last minute */
    private static double loadPerCore() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os.getSystemLoadAverage() / os.getAvailableProcessors();
    }

    /**
     * Runs the Python clients to the end.
     *
     * @param onLine sees each printed object as it comes, with the process's stdin to answer on
     * @return the JSON objects they printed, one per line
     */
    private static List<JsonObject> python(String command, int port, int number, List<String> more,
                                           LineHandler onLine) throws Exception {
        List<String> commandLine = new ArrayList<>(List.of("python3", script.toString(), command,
                String.valueOf(port), String.valueOf(number), Json.createArrayBuilder(PROMPTS).build().toString()));
        commandLine.addAll(more);
        Process process;
        try {
            process = new ProcessBuilder(commandLine).start();
        } catch (IOException e) {
            throw new AssertionError("python3 is needed to run the SocketLab-style clients and was not found on"
                    + " the PATH (" + e.getMessage() + "); install Python 3", e);
        }
        try {
            CompletableFuture<String> err = readAll(process.getErrorStream());
            List<JsonObject> lines = new ArrayList<>();
            try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8);
                 Writer in = process.outputWriter(StandardCharsets.UTF_8)) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    try (JsonReader reader = Json.createReader(new StringReader(line))) {
                        JsonObject object = reader.readObject();
                        onLine.accept(object, in);
                        lines.add(object);
                    }
                }
            }
            if (!process.waitFor(TestEngines.TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the Python clients did not finish within " + TestEngines.TIMEOUT);
            }
            assertThat(process.exitValue()).as("python3 exit code; stderr:%n%s", err.join()).isZero();
            return lines;
        } finally {
            process.destroyForcibly();
        }
    }

    /** Sees one line the Python clients printed. */
    @FunctionalInterface
    private interface LineHandler {
        void accept(JsonObject line, Writer stdin) throws IOException;
    }

    private static CompletableFuture<String> readAll(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }
}
