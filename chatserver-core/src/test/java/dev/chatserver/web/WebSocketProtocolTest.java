package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.protocol.Conversation;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.server.ChatServer;
import dev.chatserver.testing.LogRecorder;
import io.helidon.websocket.WsCloseCodes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The TCP protocol's JSON messages over a WebSocket, with the real engine on the tiny synthetic model. */
class WebSocketProtocolTest {

    private static ChatEngine engine;
    private static WebChatServer server;
    private static List<List<String>> expected;

    @BeforeAll
    static void start() throws Exception {
        engine = TestEngines.tiny(12);
        server = WebChatServer.builder(engine).port(0).maxMessageBytes(4096).start();
        expected = TestEngines.transcripts(engine, "Hello", "Hello");
        assertThat(expected.get(0)).as("the answer has pieces before its end").hasSizeGreaterThan(1);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    private static URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/ws"})
    void aFreshSessionAnswersHelloExactlyAsTheEngineDoes(String path) throws Exception {
        try (WsTestClient client = WsTestClient.connect(ws(path), null)) {
            client.send("{\"token\":\"Hello\",\"eog\":true}");
            assertThat(client.answer()).isEqualTo(expected.get(0));
            client.send("{\"token\":\"Hello\",\"eog\":true}");
            assertThat(client.answer()).as("second turn of the same session").isEqualTo(expected.get(1));
        }
    }

    @Test
    void aConnectionLogsOneLineWhenItOpensAndOneWhenItClosesNotOnePerToken() throws Exception {
        try (LogRecorder log = LogRecorder.of(ChatSocket.class.getName())) {
            String session;
            try (WsTestClient client = WsTestClient.connect(ws("/ws"), null)) {
                List<String> opened = log.await(line -> line.contains(" opened "), 1, Duration.ofSeconds(30));
                assertThat(opened).hasSize(1);
                Matcher open = Pattern.compile("INFO WebSocket from /127\\.0\\.0\\.1:\\d+ opened \\(session (s-\\d+)\\)")
                        .matcher(opened.getFirst());
                assertThat(open.matches()).as(opened.getFirst()).isTrue();
                session = open.group(1);
                client.send("{\"token\":\"Hello\",\"eog\":true}");
                assertThat(client.answer()).isEqualTo(expected.get(0));
            }
            String closed = "INFO WebSocket of session " + session + " closed: client closed";
            assertThat(log.await(closed::equals, 1, Duration.ofSeconds(30))).hasSize(1);
            assertThat(log.lines()).as("the lines naming the session")
                    .filteredOn(line -> line.matches(".*session " + session + "\\b.*"))
                    .containsExactly(opened(log, session), closed);
        }
    }

    private static String opened(LogRecorder log, String session) {
        return log.lines().stream().filter(line -> line.endsWith("opened (session " + session + ")")).findFirst()
                .orElseThrow();
    }

    @Test
    void aFreshSessionGetsTheSameTranscriptAsOverTcp() throws Exception {
        List<String> overTcp = new ArrayList<>();
        try (ChatServer tcp = ChatServer.builder(engine).port(0).start();
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcp.port())) {
            socket.setSoTimeout(120_000);
            socket.getOutputStream().write("{\"token\":\"Hello\",\"eog\":true}\n".getBytes(StandardCharsets.UTF_8));
            BufferedReader lines = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            do {
                line = lines.readLine();
                assertThat(line).as("the TCP answer goes on until its end").isNotNull();
                overTcp.add(line);
            } while (!WsTestClient.isEnd(line));
        }
        try (WsTestClient client = WsTestClient.connect(ws("/"), null)) {
            client.send("{\"token\":\"Hello\",\"eog\":true}");
            assertThat(client.answer()).isEqualTo(overTcp).isEqualTo(expected.get(0));
        }
    }

    @Test
    void promptPartsSentWithEogFalseAreJoined() throws Exception {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"), null)) {
            client.send("{\"token\":\"Hel\",\"eog\":false}");
            client.sendPart("{\"token\":", false);
            client.sendPart("\"lo\",\"eog\":true}", true);
            assertThat(client.answer()).isEqualTo(expected.get(0));
        }
    }

    @Test
    void malformedJsonGetsAnErrorAndTheConnectionGoesOn() throws Exception {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"), null)) {
            client.send("this is not json");
            String error = client.next();
            assertThat(MessageCodec.decodeServer(error)).isInstanceOfSatisfying(ServerMessage.End.class,
                    end -> assertThat(end.error()).hasValueSatisfying(e -> assertThat(e).startsWith("malformed JSON")));
            client.send("{\"token\":\"Hello\",\"eog\":true}");
            assertThat(client.answer()).isEqualTo(expected.get(0));
        }
    }

    @Test
    void aMessageOverTheLimitGetsAnErrorAndTheConversationGoesOn() throws Exception {
        ServerMessage.End tooLarge = ServerMessage.End.error("message too large: the limit is 4096 bytes");
        try (WsTestClient client = WsTestClient.connect(ws("/ws"), null)) {
            client.sendPart("{\"token\":\"" + "x".repeat(3000), false);
            client.sendPart("x".repeat(3000), false);
            client.sendPart("x".repeat(3000) + "\",\"eog\":true}", true);
            assertThat(MessageCodec.decodeServer(client.next())).as("in several frames").isEqualTo(tooLarge);
            client.send("{\"token\":\"" + "x".repeat(5000) + "\",\"eog\":true}");
            assertThat(MessageCodec.decodeServer(client.next())).as("in one frame").isEqualTo(tooLarge);
            client.send("{\"token\":\"Hello\",\"eog\":true}");
            assertThat(client.answer()).as("the conversation goes on").isEqualTo(expected.get(0));
        }
        try (WsTestClient client = WsTestClient.connect(ws("/ws"), null)) {
            client.send("{\"token\":\"Hello\",\"eog\":true}");
            assertThat(client.answer()).isEqualTo(expected.get(0));
        }
    }

    @Test
    void binaryFramesAreRefusedWithAnError() throws Exception {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"), null)) {
            client.sendBinary(new byte[] {1, 2, 3});
            assertThat(MessageCodec.decodeServer(client.next())).isInstanceOfSatisfying(ServerMessage.End.class,
                    end -> assertThat(end.error()).hasValueSatisfying(e -> assertThat(e).contains("text frames")));
        }
    }

    /** Helidon does not call {@code onClose} when the TCP connection just drops; the session must be freed anyway. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aClientThatVanishesFreesItsSession(boolean midAnswer) throws Exception {
        try (ChatEngine longEngine = TestEngines.tiny(1000);
             WebChatServer longServer = WebChatServer.builder(longEngine).port(0).start()) {
            WsTestClient client = WsTestClient.connect(URI.create("ws://127.0.0.1:" + longServer.port() + "/ws"), null);
            client.send("{\"token\":\"Hello\",\"eog\":true}");
            if (midAnswer) {
                assertThat(WsTestClient.isEnd(client.next())).isFalse();
            } else {
                client.answer();
            }
            TestEngines.awaitStats(longEngine, "one open session", stats -> stats.openSessions() == 1);
            client.abort();
            TestEngines.awaitStats(longEngine, "no open session, no reply",
                    stats -> stats.openSessions() == 0 && stats.activeReplies() == 0);
        }
    }

    @Test
    void cancelStopsALongAnswerEarly() throws Exception {
        try (ChatEngine longEngine = TestEngines.tiny(1000);
             WebChatServer longServer = WebChatServer.builder(longEngine).port(0).start()) {
            List<String> full = TestEngines.transcripts(longEngine, "Hello").getFirst();
            assertThat(full).as("a long uncancelled answer").hasSizeGreaterThan(100);
            try (WsTestClient client = WsTestClient.connect(
                    URI.create("ws://127.0.0.1:" + longServer.port() + "/ws"), null)) {
                client.send("{\"token\":\"Hello\",\"eog\":true}");
                String first = client.next();
                assertThat(WsTestClient.isEnd(first)).as("the answer has pieces").isFalse();
                client.send("{\"cancel\":true}");
                List<String> rest = client.answer();
                List<String> pieces = new ArrayList<>(List.of(first));
                pieces.addAll(rest.subList(0, rest.size() - 1));
                assertThat(rest.getLast()).isEqualTo(MessageCodec.encode(ServerMessage.End.ok()));
                assertThat(pieces.size()).as("cancelled before the end").isLessThan(full.size() - 1);
                assertThat(full).startsWith(pieces.toArray(String[]::new));
            }
        }
    }

    @Test
    void closingTheServerEndsTheAnswerInProgressWithShuttingDown() throws Exception {
        try (ChatEngine longEngine = TestEngines.tiny(1000)) {
            WebChatServer longServer = WebChatServer.builder(longEngine).port(0).start();
            try (WsTestClient client = WsTestClient.connect(
                    URI.create("ws://127.0.0.1:" + longServer.port() + "/"), null)) {
                client.send("{\"token\":\"Hello\",\"eog\":true}");
                assertThat(WsTestClient.isEnd(client.next())).isFalse();
                CompletableFuture<Void> closing = CompletableFuture.runAsync(longServer::close);
                List<String> rest = client.answer();
                assertThat(rest.getLast()).isEqualTo(
                        MessageCodec.encode(ServerMessage.End.error(Conversation.SHUTTING_DOWN)));
                assertThat(client.closeCode()).isEqualTo(WsCloseCodes.GOING_AWAY);
                closing.join();
            } finally {
                longServer.close();
            }
        }
    }
}
