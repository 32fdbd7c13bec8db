package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.gguf.SyntheticModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's OpenAI API examples against the packaged server: the key from {@code CHATSERVER_API_KEY}, the
 * curl requests as written there (plain and streaming, the header spelled with the variable's value), and a request
 * without the key.
 */
class OpenAiApiIT {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws IOException {
        model = dir.resolve("tiny.gguf");
        SyntheticModel.tiny().write(model);
    }

    /** @return curl's output: the status line and headers ({@code -i}), then the body */
    private static String curl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-s", "-i"));
        command.addAll(List.of(args));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = curl.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(curl.waitFor(CliRun.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return output;
    }

    @Test
    void theReadmeCurlExamplesWorkWithTheKeyFromTheEnvironment() throws Exception {
        try (RunningCli server = RunningCli.start(Map.of("CHATSERVER_API_KEY", "sk-local-123"), "server", "-m",
                model.toString(), "--port", "0", "--web-port", "0", "--max-tokens", "8")) {
            assertThat(server.nextLine()).startsWith("The server has been started");
            assertThat(server.nextLine()).startsWith("Chat in your browser: ");
            String api = server.nextLine();
            assertThat(api).matches("OpenAI-compatible API: http://127\\.0\\.0\\.1:\\d+/v1");
            String base = api.substring("OpenAI-compatible API: ".length());

            String body = "{\"model\": \"local\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello!\"}]}";
            String answer = curl(base + "/chat/completions", "-H", "Authorization: Bearer sk-local-123",
                    "-H", "Content-Type: application/json", "-d", body);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"object\":\"chat.completion\"")
                    .contains("\"finish_reason\":\"length\"").contains("\"cached_tokens\":");

            String stream = curl("-N", base + "/chat/completions", "-H", "Authorization: Bearer sk-local-123",
                    "-H", "Content-Type: application/json",
                    "-d", body.replace("{\"model\"", "{\"stream\": true, \"model\""));
            assertThat(stream).startsWith("HTTP/1.1 200").contains("data: {").endsWith("data: [DONE]\n\n");

            assertThat(curl(base + "/models")).startsWith("HTTP/1.1 401").contains("\"invalid_api_key\"");
            assertThat(curl(base + "/models", "-H", "Authorization: Bearer sk-local-123"))
                    .startsWith("HTTP/1.1 200").contains("\"context_length\":");

            server.terminate();
            assertThat(server.awaitExit(CliRun.TIMEOUT)).isZero();
            assertThat(server.stderr()).doesNotContain("Exception");
        }
    }
}
