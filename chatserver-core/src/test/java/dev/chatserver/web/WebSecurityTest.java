package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.engine.ChatEngine;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Host and Origin checks of the WebSocket upgrade and the API, the page and {@code /api/info}. */
class WebSecurityTest {

    private static final String APP_ORIGIN = "http://app.example:3000";

    private static ChatEngine engine;
    private static WebChatServer server;
    private static int port;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    @BeforeAll
    static void start() {
        engine = TestEngines.tiny(4);
        server = WebChatServer.builder(engine).port(0).allowOrigin(URI.create(APP_ORIGIN)).start();
        port = server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    private static HttpResponse<String> get(String path, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (origin != null) request.header("Origin", origin);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a request with any Host header (the JDK client refuses to set one) and returns the status code. */
    private static int rawStatus(String method, String path, String host, String... headers) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(60_000);
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
            for (String header : headers) request.append(header).append("\r\n");
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).startsWith("HTTP/1.1 ");
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    private static String[] upgradeHeaders(String origin) {
        String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        String[] base = {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + key,
                "Sec-WebSocket-Version: 13"};
        if (origin == null) return base;
        String[] withOrigin = java.util.Arrays.copyOf(base, base.length + 1);
        withOrigin[base.length] = "Origin: " + origin;
        return withOrigin;
    }

    @Test
    void aPortInUseFailsWithAClearError() {
        assertThatThrownBy(() -> WebChatServer.builder(engine).port(port).start())
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + port);
    }

    @Test
    void apiInfoDescribesTheEngine() throws Exception {
        HttpResponse<String> response = get("/api/info", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonObject info = Json.createReader(new StringReader(response.body())).readObject();
        var expected = engine.info();
        assertThat(info.getString("modelName")).isEqualTo(expected.modelName());
        assertThat(info.getString("architecture")).isEqualTo(expected.architecture());
        assertThat(info.getJsonNumber("parameters").longValue()).isEqualTo(expected.parameters());
        assertThat(info.getInt("contextPerSession")).isEqualTo(expected.contextPerSession());
        assertThat(info.getInt("parallelSequences")).isEqualTo(expected.parallel());
        assertThat(info.getInt("maxTokens")).isEqualTo(expected.maxTokens());
    }

    @Test
    void thePageIsServedWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"prompt\"", "chat.js", "chat.css");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'"));
        assertThat(get("/chat.js", null).statusCode()).isEqualTo(200);
        assertThat(get("/chat.css", null).statusCode()).isEqualTo(200);
        assertThat(get("/no-such-file", null).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://evil.example", "http://127.0.0.1:1", "https://localhost", "null"})
    void aForeignOriginIsRefusedWith403(String origin) throws Exception {
        assertThat(get("/api/info", origin).statusCode()).isEqualTo(403);
        assertThatThrownBy(() -> WsTestClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), origin))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
        assertThat(rawStatus("GET", "/", "127.0.0.1:" + port, upgradeHeaders(origin))).isEqualTo(403);
    }

    @Test
    void theServersOwnOriginsAndAllowedOnesAreAccepted() throws Exception {
        for (String origin : new String[] {"http://127.0.0.1:" + port, "http://localhost:" + port,
                "http://[::1]:" + port, APP_ORIGIN}) {
            assertThat(get("/api/info", origin).statusCode()).as(origin).isEqualTo(200);
            try (WsTestClient client = WsTestClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), origin)) {
                client.send("{\"token\":\"Hello\",\"eog\":true}");
                assertThat(client.answer()).as(origin).isNotEmpty();
            }
        }
    }

    @Test
    void noOriginAsFromNonBrowserClientsIsAccepted() throws Exception {
        assertThat(get("/api/info", null).statusCode()).isEqualTo(200);
        assertThat(rawStatus("GET", "/", "localhost:" + port, upgradeHeaders(null))).isEqualTo(101);
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "attacker.example:PORT", "localhost.evil.example:PORT", "localhost:1",
            "127.0.0.2:PORT", "[::2]:PORT"})
    void aForeignHostIsRefusedAsInDnsRebinding(String host) throws Exception {
        String value = host.replace("PORT", Integer.toString(port));
        assertThat(rawStatus("GET", "/api/info", value)).isEqualTo(403);
        assertThat(rawStatus("GET", "/", value, upgradeHeaders(null))).isEqualTo(403);
        assertThat(rawStatus("GET", "/", value)).isEqualTo(403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:PORT", "localhost:PORT", "LOCALHOST:PORT", "[::1]:PORT"})
    void loopbackHostsAreAccepted(String host) throws Exception {
        String value = host.replace("PORT", Integer.toString(port));
        assertThat(rawStatus("GET", "/api/info", value)).isEqualTo(200);
        assertThat(rawStatus("GET", "/", value, upgradeHeaders(null))).isEqualTo(101);
    }
}
