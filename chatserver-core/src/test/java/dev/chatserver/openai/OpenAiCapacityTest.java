package dev.chatserver.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Reply;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import dev.chatserver.testing.Transcript;
import dev.chatserver.web.WebChatServer;
import jakarta.json.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The API shares the engine's queue and busy limit with sessions, and a client that goes away mid-stream frees its
 * slot at once.
 */
class OpenAiCapacityTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpResponse<String> post(WebChatServer web, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(web.uri().resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFullQueueIs503WithRetryAfter() throws Exception {
        try (ChatEngine engine = TestEngines.start(TestModels.tiny(), 1,
                b -> b.maxTokens(200).maxQueued(1).bufferPieces(2));
             WebChatServer web = WebChatServer.builder(engine).port(0).start();
             ChatSession holder = engine.openSession();
             ChatSession waiter = engine.openSession()) {
            Transcript blocked = Transcript.blocking();
            Reply holding = holder.send("hold the slot", blocked);
            TestEngines.eventually("the slot is taken", () -> engine.stats().activeReplies() == 1);
            Reply waiting = waiter.send("wait in the queue", Transcript.recording());
            TestEngines.eventually("one reply queued", () -> engine.stats().queuedReplies() == 1);
            HttpResponse<String> busy = post(web, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("retry-after")).hasValue("1");
            assertThat(Json.createReader(new StringReader(busy.body())).readObject().getJsonObject("error")
                    .getString("code")).isEqualTo("server_busy");
            blocked.release();
            TestEngines.await(holding);
            TestEngines.await(waiting);
            assertThat(post(web, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void closingTheServerEndsAStreamInProgressPromptly() throws Exception {
        try (ChatEngine engine = TestEngines.start(TestModels.tiny(), 1,
                b -> b.maxTokens(1500).contextPerSession(2048).bufferPieces(2))) {
            WebChatServer web = WebChatServer.builder(engine).port(0).start();
            String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go on\"}]}";
            try (Socket socket = new Socket("127.0.0.1", web.port())) {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + web.port()
                        + "\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(bytes);
                // Read one line, then nothing more: the stream stays open and its reply paused.
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
                TestEngines.eventually("the reply runs", () -> engine.stats().activeReplies() == 1);
                long start = System.nanoTime();
                web.close();
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.printf("closing the server with a stream in progress took %d ms%n", millis);
                assertThat(millis).isLessThan(10_000);
                TestEngines.eventually("the reply ended", () -> engine.stats().activeReplies() == 0);
            }
        }
    }

    @Test
    void aClientThatDisconnectsMidStreamFreesItsSlotAtOnce() throws Exception {
        int budget = 1500;
        try (ChatEngine engine = TestEngines.start(TestModels.tiny(), 1,
                b -> b.maxTokens(budget).contextPerSession(2048));
             WebChatServer web = WebChatServer.builder(engine).port(0).start()) {
            String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"tell a long story\"}]";
            String whole = post(web, "{" + messages + ",\"max_tokens\":" + budget + "}").body();
            assertThat(whole).as("the answer runs to its limit when nobody leaves")
                    .contains("\"finish_reason\":\"length\"");
            int prompt = Json.createReader(new StringReader(whole)).readObject().getJsonObject("usage")
                    .getInt("prompt_tokens");

            String body = "{" + messages + ",\"stream\":true,\"max_tokens\":" + budget + "}";
            int received = 0;
            try (Socket socket = new Socket("127.0.0.1", web.port())) {
                socket.setSoTimeout(120_000);
                OutputStream out = socket.getOutputStream();
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + web.port()
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null && received < 5; line = in.readLine()) {
                    if (line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) received++;
                }
            }
            long closed = System.nanoTime();
            TestEngines.eventually("the slot is free", () -> engine.stats().activeReplies() == 0);
            long freedMillis = (System.nanoTime() - closed) / 1_000_000;
            int generated = engine.stats().kvCellsInUse() - prompt;
            System.out.printf("disconnect after %d pieces read: %d tokens generated in all, slot free after %d ms%n",
                    received, generated, freedMillis);
            assertThat(received).isEqualTo(5);
            assertThat(generated).as("tokens generated before the cancel took effect").isLessThan(budget / 4);
        }
    }
}
