package dev.chatserver.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import dev.chatserver.web.WebChatServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every way a request can fail gets OpenAI's error object with the right status and costs nothing else; the key
 * guards the API, the page and the WebSocket; the page's Origin policy and CORS apply to the API.
 */
class OpenAiErrorsTest {

    private static final String KEY = "secret-key";
    private static final String ALLOWED = "http://localhost:3000";
    private static final int MAX_BYTES = 4096;
    private static ChatEngine engine;
    private static WebChatServer web;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();

    @BeforeAll
    static void start() {
        engine = TestEngines.start(TestModels.tiny(), 1, b -> b.maxTokens(8).contextPerSession(128));
        web = WebChatServer.builder(engine).port(0).apiKey(KEY).allowOrigin(URI.create(ALLOWED))
                .maxMessageBytes(MAX_BYTES).start();
    }

    @AfterAll
    static void stop() {
        if (web != null) web.close();
        if (engine != null) engine.close();
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(web.uri().resolve(path)).timeout(Duration.ofSeconds(120));
    }

    private static HttpResponse<String> post(String body, String... headers) throws Exception {
        HttpRequest.Builder builder = request("/v1/chat/completions")
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (headers.length > 0) builder.headers(headers);
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> authorized(String body) throws Exception {
        return post(body, "Authorization", "Bearer " + KEY);
    }

    /** Asserts the status and the error object's shape; @return the error object */
    private static JsonObject error(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonObject error = Json.createReader(new StringReader(response.body())).readObject().getJsonObject("error");
        assertThat(error.keySet()).containsExactlyInAnyOrder("message", "type", "param", "code");
        assertThat(error.getString("message")).isNotBlank();
        return error;
    }

    private static String param(JsonObject error) {
        return error.isNull("param") ? null : error.getString("param");
    }

    @Test
    void withoutTheRightKeyItIs401() throws Exception {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(error(post(body), 401).getString("code")).isEqualTo("invalid_api_key");
        error(post(body, "Authorization", "Bearer wrong"), 401);
        assertThat(post(body).headers().firstValue("www-authenticate")).hasValue("Bearer");
        HttpResponse<String> models = HTTP.send(request("/v1/models").build(), HttpResponse.BodyHandlers.ofString());
        error(models, 401);
        assertThat(authorized(body).statusCode()).isEqualTo(200);
    }

    @Test
    void theKeyAlsoGuardsThePageAndTheWebSocket() throws Exception {
        HttpResponse<String> page = HTTP.send(request("/").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(401);
        assertThat(page.headers().firstValue("www-authenticate").orElse("")).startsWith("Basic");
        String basic = "Basic " + Base64.getEncoder().encodeToString(("me:" + KEY).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> withKey = HTTP.send(request("/").header("Authorization", basic).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withKey.statusCode()).isEqualTo(200);
        assertThat(withKey.body()).contains("<html");
        HttpResponse<String> health = HTTP.send(request("/health").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as("health checks carry no key").isEqualTo(200);
        HttpResponse<String> info = HTTP.send(request("/api/info").header("Authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(info.statusCode()).isEqualTo(200);
        URI ws = URI.create("ws://127.0.0.1:" + web.port() + "/ws");
        assertThat(HTTP.newWebSocketBuilder().buildAsync(ws, new java.net.http.WebSocket.Listener() { })
                .handle((socket, failure) -> failure).get()).as("upgrade without the key").isNotNull();
        java.net.http.WebSocket socket = HTTP.newWebSocketBuilder().header("Authorization", basic)
                .buildAsync(ws, new java.net.http.WebSocket.Listener() { }).get();
        socket.abort();
    }

    @Test
    void malformedRequestsAre400NamingTheField() throws Exception {
        assertThat(param(error(authorized("{not json"), 400))).isNull();
        error(authorized("[1, 2]"), 400);
        assertThat(param(error(authorized("{\"model\":\"m\"}"), 400))).isEqualTo("messages");
        assertThat(param(error(authorized("{\"messages\":[]}"), 400))).isEqualTo("messages");
        assertThat(param(error(authorized("{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}"), 400)))
                .isEqualTo("messages[0].role");
        assertThat(param(error(authorized("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"http://x\"}}]}]}"), 400))).isEqualTo("messages[0].content[0]");
        String hi = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        assertThat(param(error(authorized("{" + hi + ",\"n\":2}"), 400))).isEqualTo("n");
        assertThat(param(error(authorized("{" + hi + ",\"temperature\":5}"), 400))).isEqualTo("temperature");
        assertThat(param(error(authorized("{" + hi + ",\"max_tokens\":0}"), 400))).isEqualTo("max_tokens");
        assertThat(param(error(authorized("{" + hi + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"), 400)))
                .isEqualTo("stop");
        assertThat(param(error(authorized("{" + hi + ",\"tools\":[{\"type\":\"function\"}]}"), 400)))
                .isEqualTo("tools");
        // Unknown fields are ignored; null means unset.
        assertThat(authorized("{" + hi + ",\"whatever\":{\"x\":1},\"user\":\"u1\",\"top_p\":null}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aConversationOverTheWindowIs400ContextLengthExceeded() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "long words ".repeat(60) + "\"}]}";
        assertThat(error(authorized(body), 400).getString("code")).isEqualTo("context_length_exceeded");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(MAX_BYTES) + "\"}]}";
        assertThat(error(authorized(body), 413).getString("code")).isEqualTo("request_too_large");
    }

    @Test
    void unknownPathsAndModelsAre404AndTheModelIsListed() throws Exception {
        HttpResponse<String> path = HTTP.send(request("/v1/embeddings").header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        error(path, 404);
        HttpResponse<String> model = HTTP.send(request("/v1/models/gpt-4").header("Authorization", "Bearer " + KEY)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(error(model, 404).getString("code")).isEqualTo("model_not_found");
        HttpResponse<String> models = HTTP.send(request("/v1/models").header("Authorization", "Bearer " + KEY)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        JsonObject entry = Json.createReader(new StringReader(models.body())).readObject().getJsonArray("data")
                .getJsonObject(0);
        assertThat(entry.getString("id")).isEqualTo(engine.info().modelName());
        assertThat(entry.getInt("context_length")).isEqualTo(128);
        HttpResponse<String> one = HTTP.send(request("/v1/models/" + entry.getString("id"))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(one.statusCode()).isEqualTo(200);
    }

    @Test
    void foreignOriginsAre403AndAllowedOnesGetCors() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(post(body, "Authorization", "Bearer " + KEY, "Origin", "http://evil.example").statusCode())
                .isEqualTo(403);
        HttpResponse<String> preflight = HTTP.send(request("/v1/chat/completions")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", ALLOWED)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue(ALLOWED);
        assertThat(preflight.headers().firstValue("access-control-allow-headers").orElse(""))
                .containsIgnoringCase("authorization");
        HttpResponse<String> call = post(body, "Authorization", "Bearer " + KEY, "Origin", ALLOWED);
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.headers().firstValue("access-control-allow-origin")).hasValue(ALLOWED);
        assertThat(post(body, "Origin", "http://evil.example").statusCode()).as("no key, foreign").isEqualTo(403);
    }
}
