package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model of an architecture that llama.cpp b4916 could not load (qwen3), written by {@code model synth --arch
 * qwen3}, described by {@code model info} with the runtime that runs it, and served by the jar over TCP and over
 * the chat page's WebSocket.
 */
class Qwen3ModelIT {

    private static final Pattern START_LINE =
            Pattern.compile("The server has been started, listening on: 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void aSyntheticQwen3ModelIsDescribedAndChatsOverTcpAndWebSocket() throws Exception {
        Path model = dir.resolve("qwen3.gguf");
        CliRun.Result synth = CliRun.run("model", "synth", "--arch", "qwen3", "--out", model.toString());
        assertThat(synth.exitCode()).as(synth.stderr()).isZero();

        CliRun.Result info = CliRun.run("model", "info", model.toString());
        assertThat(info.exitCode()).as(info.stderr()).isZero();
        assertThat(info.stderr()).isEmpty();
        assertThat(info.stdoutLines()).contains("architecture:   qwen3");
        assertThat(info.stdoutLines()).anySatisfy(line ->
                assertThat(line).matches("runtime: {8}llama\\.cpp v0\\.5\\.0, CPU backend [a-z0-9_]+"));

        try (RunningCli server = RunningCli.start("server", "-m", model.toString(), "--port", "0", "--web-port", "0",
                "--max-tokens", "16")) {
            String line = server.nextLine();
            Matcher start = START_LINE.matcher(line);
            assertThat(start.matches()).as("start line: " + line).isTrue();
            int port = Integer.parseInt(start.group(1));
            URI page = URI.create(server.nextLine().substring("Chat in your browser: ".length()));

            String tcpAnswer = askOverTcp(port);
            assertThat(tcpAnswer).isNotBlank();
            assertThat(askOverWebSocket(URI.create("ws://" + page.getAuthority() + "/ws"))).isEqualTo(tcpAnswer);

            server.terminate();
            assertThat(server.awaitExit(CliRun.TIMEOUT)).isZero();
            assertThat(server.stderr()).doesNotContain("Exception");
        }
    }

    @Test
    void theJarCarriesOneLlamaCppTheNpmBuildAndItsNotices() throws Exception {
        try (JarFile jar = new JarFile(CliRun.jar().toFile())) {
            List<String> names = jar.stream().map(JarEntry::getName).toList();
            assertThat(names).noneMatch(name -> name.startsWith("de/kherud/"));
            assertThat(names).noneMatch(name -> name.contains("jllama") || name.endsWith(".node"));
            String natives = "dev/chatserver/llama/natives/linux-x64/";
            assertThat(names).contains(natives + "natives.properties", natives + "libggml-base.so",
                    natives + "natives/LICENSE-llama.cpp.txt", natives + "natives/LICENSE-node-llama-cpp.txt");
            assertThat(names).anyMatch(name -> name.matches(java.util.regex.Pattern.quote(natives) + "libllama\\.v[0-9.]+\\.so"));
            assertThat(names.stream().filter(name -> name.startsWith(natives + "libggml-cpu-"))).hasSizeGreaterThan(1);
            assertThat(names).noneMatch(name -> name.contains("llama-common"));
            Properties properties = new Properties();
            try (InputStream in = jar.getInputStream(jar.getEntry(natives + "natives.properties"))) {
                properties.load(in);
            }
            assertThat(properties.getProperty("release")).isEqualTo("v0.5.0");
            assertThat(properties.getProperty("integrity")).startsWith("sha512-");
        }
    }

    /** Sends one prompt and returns the text of the answer's pieces, after checking the end message. */
    private static String askOverTcp(int port) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) CliRun.TIMEOUT.toMillis());
            socket.getOutputStream().write("{\"token\":\"Hello\",\"eog\":true}\n".getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder text = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.contains("\"eog\":true")) {
                    assertThat(line).doesNotContain("error");
                    return text.toString();
                }
                text.append(Json.token(line));
            }
            throw new AssertionError("the connection closed before the end message");
        }
    }

    private static String askOverWebSocket(URI uri) throws Exception {
        Answer listener = new Answer();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, listener).join();
        socket.sendText("{\"token\":\"Hello\",\"eog\":true}", true).join();
        String answer = listener.text.get(CliRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        return answer;
    }

    /** Collects the pieces of one answer, completed by the JDK's WebSocket thread at the end message. */
    private static final class Answer implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();
        private final StringBuilder pieces = new StringBuilder();
        final CompletableFuture<String> text = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String whole = message.toString();
                message.setLength(0);
                if (whole.contains("\"eog\":true")) {
                    if (whole.contains("error")) text.completeExceptionally(new AssertionError(whole));
                    text.complete(pieces.toString());
                } else {
                    pieces.append(Json.token(whole));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            text.completeExceptionally(error);
        }
    }

    /** The {@code token} of one server message, parsed by the protocol's own JSON library. */
    private static final class Json {
        static String token(String message) {
            try (var reader = jakarta.json.Json.createReader(new java.io.StringReader(message))) {
                return reader.readObject().getString("token");
            }
        }
    }
}
