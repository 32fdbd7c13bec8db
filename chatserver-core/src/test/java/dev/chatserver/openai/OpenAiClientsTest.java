package dev.chatserver.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.chatserver.engine.ChatEngine;
import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.protocol.ServerMessageReader;
import dev.chatserver.server.ChatServer;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import dev.chatserver.web.WebChatServer;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API with real clients — the official OpenAI Java SDK (plain and streaming), LangChain4j's OpenAI model and
 * {@code curl -N} — against a real server on loopback, compared with the TCP protocol on the same engine.
 */
class OpenAiClientsTest {

    private static final String KEY = "test-key-123";
    private static ChatEngine engine;
    private static WebChatServer web;
    private static ChatServer tcp;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws IOException {
        engine = TestEngines.start(TestModels.tiny(), 2, b -> b.maxTokens(16));
        web = WebChatServer.builder(engine).port(0).apiKey(KEY).start();
        tcp = ChatServer.builder(engine).port(0).start();
        client = OpenAIOkHttpClient.builder().baseUrl(web.uri() + "v1").apiKey(KEY).maxRetries(0)
                .timeout(Duration.ofSeconds(120)).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (tcp != null) tcp.close();
        if (web != null) web.close();
        if (engine != null) engine.close();
    }

    /** @return the answers of one TCP connection to the prompts, in turn */
    private static List<String> overTcp(String... prompts) throws Exception {
        List<String> answers = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", tcp.port())) {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            ServerMessageReader reader = ServerMessageReader.over(socket.getInputStream());
            for (String prompt : prompts) {
                out.write(jakarta.json.Json.createObjectBuilder().add("token", prompt).add("eog", true).build()
                        .toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                StringBuilder answer = new StringBuilder();
                while (true) {
                    ServerMessage message = reader.next().orElseThrow();
                    if (message instanceof ServerMessage.Piece piece) {
                        answer.append(piece.token());
                    } else {
                        assertThat(((ServerMessage.End) message).error()).isEmpty();
                        break;
                    }
                }
                answers.add(answer.toString());
            }
        }
        return answers;
    }

    @Test
    void sdkAnswersAsTheTcpProtocolAndReportsTheCachedPrompt() throws Exception {
        List<String> tcpAnswers = overTcp("Hello there", "And then?");
        ChatCompletion first = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("anything").addUserMessage("Hello there").build());
        String firstText = first.choices().getFirst().message().content().orElseThrow();
        assertThat(firstText).isEqualTo(tcpAnswers.get(0));
        assertThat(first.choices().getFirst().finishReason().asString()).isIn("stop", "length");
        assertThat(first.model()).isEqualTo(engine.info().modelName());
        assertThat(first.id()).startsWith("chatcmpl-");
        long firstPrompt = first.usage().orElseThrow().promptTokens();

        ChatCompletion second = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("anything").addUserMessage("Hello there").addAssistantMessage(firstText)
                .addUserMessage("And then?").build());
        assertThat(second.choices().getFirst().message().content().orElseThrow()).isEqualTo(tcpAnswers.get(1));
        var usage = second.usage().orElseThrow();
        long cached = usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow();
        assertThat(cached).as("the first request's prompt and answer are reused")
                .isGreaterThanOrEqualTo(firstPrompt);
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    }

    @Test
    void sdkStreamingGivesTheSameAnswerWithUsageLast() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("m")
                .addSystemMessage("You tell stories.").addUserMessage("Once upon a time")
                .maxCompletionTokens(12).build();
        ChatCompletion whole = client.chat().completions().create(params);
        StringBuilder streamed = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                params.toBuilder().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append));
            });
        }
        assertThat(streamed.toString()).isEqualTo(whole.choices().getFirst().message().content().orElseThrow());
        assertThat(chunks.size()).isGreaterThan(3);
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(12);
        assertThat(chunks.get(chunks.size() - 2).choices().getFirst().finishReason().orElseThrow().asString())
                .isEqualTo("length");
        assertThat(whole.choices().getFirst().finishReason().asString()).isEqualTo("length");
    }

    @Test
    void stopStringsCutTheText() {
        String full = client.chat().completions().create(ChatCompletionCreateParams.builder().model("m")
                .addUserMessage("stop test").build()).choices().getFirst().message().content().orElseThrow();
        assertThat(full.length()).isGreaterThan(4);
        String stop = full.substring(2, 4);
        int at = full.indexOf(stop);
        ChatCompletion cut = client.chat().completions().create(ChatCompletionCreateParams.builder().model("m")
                .addUserMessage("stop test").stop(stop).build());
        assertThat(cut.choices().getFirst().message().content().orElseThrow()).isEqualTo(full.substring(0, at));
        assertThat(cut.choices().getFirst().finishReason().asString()).isEqualTo("stop");
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("m").addUserMessage("stop test").stop(stop).build())) {
            stream.stream().forEach(c -> c.choices().forEach(x -> x.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo(full.substring(0, at));
    }

    @Test
    void langChain4jGetsTheSameAnswer() {
        String sdk = client.chat().completions().create(ChatCompletionCreateParams.builder().model("m")
                .addUserMessage("Tell me about dogs").build()).choices().getFirst().message().content().orElseThrow();
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(web.uri() + "v1").apiKey(KEY).modelName("local")
                .timeout(Duration.ofSeconds(120)).maxRetries(0).build();
        assertThat(model.chat("Tell me about dogs")).isEqualTo(sdk);
    }

    @Test
    void curlSeesServerSentEventsEndingWithDone() throws Exception {
        String body = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}]}";
        Process curl = new ProcessBuilder("curl", "-sN", "-i", web.uri() + "v1/chat/completions",
                "-H", "Authorization: Bearer " + KEY, "-H", "Content-Type: application/json", "-d", body)
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = curl.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(curl.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(output).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: text/event-stream");
        String events = output.substring(output.indexOf("\r\n\r\n") + 4);
        assertThat(events).endsWith("data: [DONE]\n\n");
        String[] blocks = events.split("\n\n");
        assertThat(blocks.length).isEqualTo(1 + 5 + 1 + 1); // role, five tokens, finish, [DONE]
        for (String block : blocks) assertThat(block).startsWith("data: ").doesNotContain("\n");
        assertThat(blocks[0]).contains("\"role\":\"assistant\"").contains("\"object\":\"chat.completion.chunk\"");
        assertThat(blocks[blocks.length - 2]).contains("\"finish_reason\":\"length\"");
    }

    @Test
    void seededTemperatureIsReproducible() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("m")
                .addUserMessage("Random words").temperature(1.3).seed(7L).build();
        String first = client.chat().completions().create(params).choices().getFirst().message().content()
                .orElseThrow();
        String again = client.chat().completions().create(params).choices().getFirst().message().content()
                .orElseThrow();
        assertThat(again).isEqualTo(first);
        Optional<String> penalized = client.chat().completions().create(params.toBuilder().presencePenalty(2.0)
                .frequencyPenalty(2.0).temperature(0.0).build()).choices().getFirst().message().content();
        assertThat(penalized).isPresent();
    }
}
