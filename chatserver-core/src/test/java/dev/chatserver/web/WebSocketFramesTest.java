package dev.chatserver.web;

import static dev.chatserver.web.RawWebSocket.BINARY;
import static dev.chatserver.web.RawWebSocket.CONTINUATION;
import static dev.chatserver.web.RawWebSocket.FIN;
import static dev.chatserver.web.RawWebSocket.PING;
import static dev.chatserver.web.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.testing.LogRecorder;
import io.helidon.websocket.WsCloseCodes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames no browser sends, over a plain socket after a real upgrade: unknown opcodes, broken fragmentation and text
 * that is not UTF-8 end the connection with the close code RFC 6455 names, and nothing but frames follows the 101
 * response. The engine echoes each prompt in one piece, so the text the server decoded is visible exactly.
 */
class WebSocketFramesTest {

    /** The root logger: what the server and Helidon log. */
    private static final String ALL_LOGGERS = "";
    private static final String NOT_UTF8 = MessageCodec.encode(ServerMessage.End.error("message is not valid UTF-8"));

    private static WebChatServer server;

    @BeforeAll
    static void start() {
        server = WebChatServer.builder(new EchoEngine(1000, Duration.ZERO)).port(0).maxMessageBytes(4096).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static String prompt(String text) {
        return "{\"token\":\"" + text + "\",\"eog\":true}";
    }

    private static List<String> echoed(String text) {
        return List.of(MessageCodec.encode(new ServerMessage.Piece(text)),
                MessageCodec.encode(ServerMessage.End.finished(ServerMessage.Finish.STOP, 0)));
    }

    /** @return the answer's messages, read up to its end message */
    private static List<String> answer(RawWebSocket socket) throws Exception {
        String first = socket.readText();
        return WsTestClient.isEnd(first) ? List.of(first) : List.of(first, socket.readText());
    }

    /** Another connection on the same server, opened afterwards, is answered as usual. */
    private static void anotherConnectionIsAnswered() throws Exception {
        try (WsTestClient client = WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), null)) {
            client.send(prompt("still here"));
            assertThat(client.answer()).isEqualTo(echoed("still here"));
        }
    }

    @ParameterizedTest(name = "opcode 0x{0}")
    @ValueSource(strings = {"3", "4", "5", "6", "7", "B", "C", "D", "E", "F"})
    void anUnknownOpcodeClosesWithProtocolErrorAndNoHttpAfterTheSwitch(String hex) throws Exception {
        int opcode = Integer.parseInt(hex, 16);
        try (LogRecorder log = LogRecorder.of(ALL_LOGGERS)) {
            RawWebSocket.Ending ending;
            try (RawWebSocket socket = RawWebSocket.open(server.port(), "/ws")) {
                socket.sendText(prompt("before"));
                assertThat(answer(socket)).as("the connection worked before").isEqualTo(echoed("before"));
                socket.send(FIN | opcode, "junk".getBytes(StandardCharsets.US_ASCII));
                ending = socket.readToEnd();
            }
            assertThat(ending.afterHead()).doesNotContain("HTTP/");
            assertThat(ending.closeCode()).isEqualTo(WsCloseCodes.PROTOCOL_ERROR);
            assertThat(ending.closeReason()).isEqualTo("unknown opcode 0x" + hex);
            String closed = "closed: protocol error: unknown opcode 0x" + hex;
            assertThat(log.await(line -> line.endsWith(closed), 1, Duration.ofSeconds(30)))
                    .singleElement().satisfies(line -> assertThat(line).matches("INFO WebSocket of session \\S+ .*"));
            anotherConnectionIsAnswered();
            assertThat(log.withStackTrace()).isEmpty();
            assertThat(log.lines()).noneMatch(line -> line.startsWith("WARNING") || line.startsWith("SEVERE"));
        }
    }

    /** One frame to send: its first byte as on the wire (FIN, RSV, opcode) and its payload. */
    private record Sent(int firstByte, byte[] payload) {
    }

    /** Each case: what it is, the frames sent after one good exchange, and the close frame's reason. */
    static Stream<Arguments> brokenFraming() {
        byte[] brace = {'{'};
        byte[] braces = {'{', '}'};
        return Stream.of(
                Arguments.of("a continuation with no message open", List.of(new Sent(FIN | CONTINUATION, braces)),
                        "continuation frame with no message open"),
                Arguments.of("a new text message inside an open one",
                        List.of(new Sent(TEXT, brace), new Sent(FIN | TEXT, braces)),
                        "new message before the last one ended"),
                Arguments.of("a new binary message inside an open text one",
                        List.of(new Sent(TEXT, brace), new Sent(FIN | BINARY, new byte[] {0})),
                        "new message before the last one ended"),
                Arguments.of("a text frame with a reserved bit set", List.of(new Sent(0xC0 | TEXT, braces)),
                        "reserved bits set"),
                Arguments.of("a fragmented ping", List.of(new Sent(PING, new byte[] {'a'})),
                        "fragmented control frame"),
                Arguments.of("a ping of 126 bytes", List.of(new Sent(FIN | PING, new byte[126])),
                        "control frame longer than 125 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFraming")
    void brokenFramingClosesWithProtocolError(String what, List<Sent> frames, String reason) throws Exception {
        try (RawWebSocket socket = RawWebSocket.open(server.port(), "/")) {
            socket.sendText(prompt("before"));
            assertThat(answer(socket)).isEqualTo(echoed("before"));
            for (Sent frame : frames) socket.send(frame.firstByte(), frame.payload());
            RawWebSocket.Ending ending = socket.readToEnd();
            assertThat(ending.afterHead()).doesNotContain("HTTP/");
            assertThat(ending.closeCode()).as(what).isEqualTo(WsCloseCodes.PROTOCOL_ERROR);
            assertThat(ending.closeReason()).isEqualTo(reason);
        }
        anotherConnectionIsAnswered();
    }

    /** Byte sequences RFC 3629 forbids, inside the prompt's string. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"80", "c0af", "e08080", "eda080", "f4908080", "ff", "e282", "c3"})
    void textThatIsNotUtf8ClosesWithInvalidPayloadData(String badHex) throws Exception {
        byte[] bad = HexFormat.of().parseHex(badHex);
        try (LogRecorder log = LogRecorder.of(ALL_LOGGERS);
             RawWebSocket socket = RawWebSocket.open(server.port(), "/ws")) {
            socket.send(FIN | TEXT, RawWebSocket.concat("{\"token\":\"".getBytes(StandardCharsets.UTF_8), bad,
                    "\",\"eog\":true}".getBytes(StandardCharsets.UTF_8)));
            RawWebSocket.Ending ending = socket.readToEnd();
            assertThat(ending.afterHead()).doesNotContain("HTTP/");
            assertThat(ending.texts()).as("the TCP protocol's error, then the close").containsExactly(NOT_UTF8);
            assertThat(ending.closeCode()).isEqualTo(WsCloseCodes.NOT_CONSISTENT);
            assertThat(ending.closeReason()).isEqualTo("message is not valid UTF-8");
            assertThat(log.await(line -> line.endsWith("closed: message is not valid UTF-8"), 1,
                    Duration.ofSeconds(30))).hasSize(1);
            assertThat(log.withStackTrace()).isEmpty();
        }
        anotherConnectionIsAnswered();
    }

    @Test
    void aMessageThatEndsInsideACharacterClosesWithInvalidPayloadData() throws Exception {
        try (RawWebSocket socket = RawWebSocket.open(server.port(), "/ws")) {
            socket.send(TEXT, prompt("caf").getBytes(StandardCharsets.UTF_8));
            socket.send(FIN | CONTINUATION, new byte[] {(byte) 0xC3});
            RawWebSocket.Ending ending = socket.readToEnd();
            assertThat(ending.texts()).containsExactly(NOT_UTF8);
            assertThat(ending.closeCode()).isEqualTo(WsCloseCodes.NOT_CONSISTENT);
        }
    }

    /** Every multi-byte character is cut between frames; a ping in the middle of the message is answered. */
    @Test
    void validUtf8SplitAcrossContinuationFramesArrivesWhole() throws Exception {
        String text = "héllo € 𝄞 ✓ Ω";
        byte[] message = prompt(text).getBytes(StandardCharsets.UTF_8);
        try (RawWebSocket socket = RawWebSocket.open(server.port(), "/ws")) {
            for (int i = 0; i < message.length; i++) {
                int first = (i == 0 ? TEXT : CONTINUATION) | (i == message.length - 1 ? FIN : 0);
                socket.send(first, new byte[] {message[i]});
                if (i == message.length / 2) {
                    socket.send(FIN | PING, "mid".getBytes(StandardCharsets.US_ASCII));
                    RawWebSocket.Frame pong = socket.read();
                    assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
                    assertThat(pong.text()).isEqualTo("mid");
                }
            }
            assertThat(answer(socket)).isEqualTo(echoed(text));
            socket.sendText(prompt(text));
            assertThat(answer(socket)).as("a whole frame as well").isEqualTo(echoed(text));
        }
    }

    @Test
    void aBinaryMessageIsStillRefusedWithAnErrorAndTheConnectionGoesOn() throws Exception {
        try (RawWebSocket socket = RawWebSocket.open(server.port(), "/ws")) {
            socket.send(BINARY, new byte[] {(byte) 0xFF, 0x00});
            socket.send(FIN | CONTINUATION, new byte[] {(byte) 0xC3});
            assertThat(MessageCodec.decodeServer(socket.readText())).isInstanceOfSatisfying(ServerMessage.End.class,
                    end -> assertThat(end.error()).hasValueSatisfying(e -> assertThat(e).contains("text frames")));
            socket.sendText(prompt("after"));
            assertThat(answer(socket)).isEqualTo(echoed("after"));
        }
    }
}
