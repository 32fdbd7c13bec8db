package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /health}: 200 while the engine runs, 503 once it stopped and while the web server closes; exempt from
 * the Origin check, not from the Host check; a load balancer's name admitted with {@code allowHost}.
 */
class HealthEndpointTest {

    /**
     * A response to a raw request with any Host header (the JDK client refuses to set one).
     *
     * @param status the status code
     * @param body   the body, read to the end (the request asks to close)
     */
    record Response(int status, String body) {
        JsonObject json() {
            return Json.createReader(new StringReader(body)).readObject();
        }
    }

    private static Response get(int port, String path, String host, String... headers) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(60_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
            for (String header : headers) request.append(header).append("\r\n");
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The answers are ASCII: one char per byte, so Content-Length counts chars here.
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            String status = in.readLine();
            assertThat(status).startsWith("HTTP/1.1 ");
            int length = 0;
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                int n = in.read(body, read, length - read);
                if (n < 0) break;
                read += n;
            }
            return new Response(Integer.parseInt(status.substring(9, 12)), new String(body, 0, read));
        }
    }

    @Test
    void okWhileTheEngineRunsThenUnavailableOnceItStopped() throws Exception {
        ChatEngine engine = TestEngines.tiny(4);
        try (WebChatServer web = WebChatServer.builder(engine).port(0).start()) {
            String host = "127.0.0.1:" + web.port();
            Response ok = get(web.port(), "/health", host);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.json().getString("status")).isEqualTo("ok");
            assertThat(ok.json().getString("model")).isEqualTo(engine.info().modelName());
            assertThat(ok.json().getInt("activeReplies")).isZero();

            engine.close();
            Response down = get(web.port(), "/health", host);
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.json().getString("status")).isEqualTo("unavailable");
            assertThat(down.json().getString("reason")).isEqualTo("the engine is not running");
        } finally {
            engine.close();
        }
    }

    /**
     * The web server's close flag turns health to 503 at once; closing a real server is over in milliseconds here,
     * too short to hit from outside, so the handler is mounted with the flag set, as the server mounts it.
     */
    @Test
    void unavailableWhileTheWebServerShutsDown() throws Exception {
        try (ChatEngine engine = TestEngines.tiny(4)) {
            WebServer closing = WebServer.builder().port(0).host("127.0.0.1").shutdownHook(false)
                    .routing(HttpRouting.builder().get("/health", new HealthHandler(engine, () -> true)))
                    .build().start();
            try {
                Response down = get(closing.port(), "/health", "127.0.0.1:" + closing.port());
                assertThat(down.status()).isEqualTo(503);
                assertThat(down.json().getString("reason")).isEqualTo("shutting down");
            } finally {
                closing.stop();
            }
        }
    }

    @Test
    void healthIgnoresOriginButNotHost() throws Exception {
        try (ChatEngine engine = TestEngines.tiny(4);
             WebChatServer web = WebChatServer.builder(engine).port(0).start()) {
            String host = "127.0.0.1:" + web.port();
            assertThat(get(web.port(), "/health", host, "Origin: http://evil.example").status()).isEqualTo(200);
            assertThat(get(web.port(), "/api/info", host, "Origin: http://evil.example").status()).isEqualTo(403);
            assertThat(get(web.port(), "/health", "evil.example:" + web.port()).status()).isEqualTo(403);
        }
    }

    @Test
    void allowedHostsAdmitALoadBalancersName() throws Exception {
        try (ChatEngine engine = TestEngines.tiny(4);
             WebChatServer web = WebChatServer.builder(engine).port(0)
                     .allowHost("lb.example").allowHost("other.example:8080").start()) {
            int port = web.port();
            assertThat(get(port, "/health", "lb.example").status()).isEqualTo(200);
            assertThat(get(port, "/health", "LB.example:9999").status()).isEqualTo(200);
            assertThat(get(port, "/api/info", "lb.example:80").status()).isEqualTo(200);
            assertThat(get(port, "/health", "other.example:8080").status()).isEqualTo(200);
            assertThat(get(port, "/health", "other.example:8081").status()).isEqualTo(403);
            assertThat(get(port, "/health", "other.example").status()).isEqualTo(403);
            assertThat(get(port, "/health", "evil.example").status()).isEqualTo(403);
        }
    }
}
