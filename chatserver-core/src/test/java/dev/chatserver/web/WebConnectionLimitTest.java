package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import io.helidon.websocket.WsCloseCodes;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WebSocket connection limit, with the real engine on the tiny synthetic model. */
class WebConnectionLimitTest {

    private static final String HELLO = "{\"token\":\"Hello\",\"eog\":true}";
    /** What the TCP server sends to a connection over its limit. */
    private static final String TOO_MANY = "{\"token\":\"\",\"eog\":true,\"error\":\"too many connections\"}";

    private static ChatEngine engine;
    /** The transcripts of a fresh session's first and second "Hello". */
    private static List<List<String>> expected;

    @BeforeAll
    static void startEngine() throws Exception {
        engine = TestEngines.tiny(12);
        expected = TestEngines.transcripts(engine, "Hello", "Hello");
    }

    @AfterAll
    static void stopEngine() {
        if (engine != null) engine.close();
    }

    private static WsTestClient connect(WebChatServer server) {
        return WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), null);
    }

    /** @return a client that was served: it got the answer of a fresh engine session */
    private static WsTestClient served(WebChatServer server) throws Exception {
        WsTestClient client = connect(server);
        client.send(HELLO);
        assertThat(client.answer()).as("a connection within the limit is served").isEqualTo(expected.getFirst());
        return client;
    }

    private static void assertRefused(WebChatServer server) throws Exception {
        try (WsTestClient refused = connect(server)) {
            assertThat(refused.next()).isEqualTo(TOO_MANY);
            assertThat(refused.closeCode()).isEqualTo(WsCloseCodes.TRY_AGAIN_LATER);
        }
    }

    @Test
    void aConnectionOverTheLimitIsRefusedWithoutASessionUntilASlotIsFree() throws Exception {
        try (WebChatServer server = WebChatServer.builder(engine).port(0).maxConnections(2).start();
             WsTestClient first = served(server);
             WsTestClient second = served(server)) {
            assertRefused(server);
            // The engine publishes its stats as it works: this answer makes them current.
            second.send(HELLO);
            assertThat(second.answer()).isEqualTo(expected.getLast());
            assertThat(engine.stats().openSessions()).as("the refused connection opened no session").isEqualTo(2);

            first.close();
            TestEngines.awaitStats(engine, "the closed connection's session freed", s -> s.openSessions() == 1);
            try (WsTestClient third = served(server)) {
                assertRefused(server);     // the slot was given back once, not twice
            }
        }
    }

    @Test
    void aClientThatVanishesGivesItsSlotBack() throws Exception {
        try (WebChatServer server = WebChatServer.builder(engine).port(0).maxConnections(1).start()) {
            WsTestClient vanishing = served(server);
            assertRefused(server);
            vanishing.abort();
            TestEngines.awaitStats(engine, "the vanished client's session freed", s -> s.openSessions() == 0);
            try (WsTestClient next = served(server)) {
                assertRefused(server);
            }
        }
    }
}
