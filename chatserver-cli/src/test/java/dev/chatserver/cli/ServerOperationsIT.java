package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.gguf.SyntheticModel;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees of the server process: the start-up summary, JSON log lines, {@code /health} and
 * {@code /metrics} on the web port.
 */
class ServerOperationsIT {

    private static final Pattern TCP_LINE =
            Pattern.compile("The server has been started, listening on: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern WEB_LINE = Pattern.compile("Chat in your browser: (http://127\\.0\\.0\\.1:\\d+/)");

    @TempDir
    Path dir;

    @Test
    void jsonLogsCarryTheStartupSummaryAndHealthAndMetricsAnswer() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        SyntheticModel.tiny().write(model);
        String tcpPort;
        URI web;
        String stderr;
        try (RunningCli server = RunningCli.start("server", "-m", model.toString(), "--port", "0", "--web-port", "0",
                "--parallel", "3", "--ctx", "256", "--threads", "1", "--mode", "selector", "--log-format", "json")) {
            Matcher tcp = TCP_LINE.matcher(server.nextLine());
            Matcher page = WEB_LINE.matcher(server.nextLine());
            assertThat(tcp.matches() && page.matches()).isTrue();
            tcpPort = tcp.group(1);
            web = URI.create(page.group(1));
            server.awaitStderr("serving ");

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(web.resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(json(health.body()).getString("status")).isEqualTo("ok");
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(web.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("chatserver_connections{transport=\"tcp\"}", "jvm_memory_used_bytes");

            server.terminate();
            assertThat(server.awaitExit(CliRun.TIMEOUT)).isZero();
            stderr = server.stderr();
        }
        List<String> lines = stderr.lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines).isNotEmpty();
        JsonObject summary = null;
        for (String line : lines) {
            JsonObject record = json(line); // every line is one JSON object
            assertThat(record.keySet()).contains("time", "level", "logger", "thread", "message");
            if (record.getString("message").startsWith("serving ")) summary = record;
        }
        assertThat(summary).as("the start-up summary among %s", lines).isNotNull();
        assertThat(summary.getString("level")).isEqualTo("INFO");
        assertThat(summary.getString("message"))
                .contains("(llama, ", " parameters)", "256 tokens of context per conversation", "3 parallel slots",
                        "1 thread,", "llama.cpp ", "CPU backend ", "mode selector", "TCP 127.0.0.1:" + tcpPort, "web " + web);
    }

    @Test
    void aMalformedAllowedHostIsAUsageError() throws Exception {
        CliRun.Result result = CliRun.run("server", "--allow-host", "chat.example.com/path", "--no-pull",
                "-m", dir.resolve("absent.gguf").toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderrLines()).hasSize(1);
        assertThat(result.stderr()).contains("--allow-host");
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }
}
