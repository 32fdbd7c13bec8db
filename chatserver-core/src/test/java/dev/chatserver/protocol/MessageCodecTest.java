package dev.chatserver.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageCodecTest {

    @Test
    void encodesServerMessages() {
        assertThat(MessageCodec.encode(new ServerMessage.Piece("Hi \"you\"\n")))
                .isEqualTo("{\"token\":\"Hi \\\"you\\\"\\n\",\"eog\":false}");
        assertThat(MessageCodec.encode(ServerMessage.End.ok())).isEqualTo("{\"token\":\"\",\"eog\":true}");
        assertThat(MessageCodec.encode(ServerMessage.End.error("server busy")))
                .isEqualTo("{\"token\":\"\",\"eog\":true,\"error\":\"server busy\"}");
    }

    @Test
    void anAnswerThatRanSaysHowItEndedAndHowManyTurnsWereDropped() throws ProtocolException {
        assertThat(MessageCodec.encode(ServerMessage.End.finished(ServerMessage.Finish.STOP, 0)))
                .isEqualTo("{\"token\":\"\",\"eog\":true,\"finish\":\"stop\"}");
        assertThat(MessageCodec.encode(ServerMessage.End.finished(ServerMessage.Finish.LENGTH, 2)))
                .isEqualTo("{\"token\":\"\",\"eog\":true,\"finish\":\"length\",\"dropped\":2}");
        assertThat(MessageCodec.decodeServer("{\"token\":\"\",\"eog\":true,\"finish\":\"length\",\"dropped\":3}"))
                .isEqualTo(ServerMessage.End.finished(ServerMessage.Finish.LENGTH, 3));
        assertThat(MessageCodec.decodeServer("{\"token\":\"\",\"eog\":true,\"finish\":\"tool_call\"}"))
                .as("a reason of a newer server is ignored").isEqualTo(ServerMessage.End.ok());
    }

    @Test
    void encodesALineAsUtf8WithNewline() {
        byte[] line = MessageCodec.encodeLine(new ServerMessage.Piece("é"));
        assertThat(new String(line, StandardCharsets.UTF_8)).isEqualTo("{\"token\":\"é\",\"eog\":false}\n");
    }

    @Test
    void clientMessagesRoundTrip() throws ProtocolException {
        for (ClientMessage message : new ClientMessage[] {ClientMessage.Prompt.of("Hello"),
                new ClientMessage.Prompt("part", false), new ClientMessage.Cancel()}) {
            assertThat(MessageCodec.decodeClient(MessageCodec.encode(message))).isEqualTo(message);
        }
        assertThat(MessageCodec.encode(ClientMessage.Prompt.of("Hello")))
                .isEqualTo("{\"token\":\"Hello\",\"eog\":true}");
    }

    @Test
    void serverMessagesRoundTrip() throws ProtocolException {
        for (ServerMessage message : new ServerMessage[] {new ServerMessage.Piece("x"), ServerMessage.End.ok(),
                ServerMessage.End.error("server shutting down"),
                ServerMessage.End.finished(ServerMessage.Finish.STOP, 1)}) {
            assertThat(MessageCodec.decodeServer(MessageCodec.encode(message))).isEqualTo(message);
        }
    }

    @Test
    void decodingIgnoresUnknownFieldsAndTakesTheLabsSpacing() throws ProtocolException {
        assertThat(MessageCodec.decodeClient("{\"token\": \"Hello\", \"eog\": true, \"model\": {\"x\": [1]}}"))
                .isEqualTo(ClientMessage.Prompt.of("Hello"));
        assertThat(MessageCodec.decodeClient("{\"token\": \"Hello\"}")).isEqualTo(ClientMessage.Prompt.of("Hello"));
        assertThat(MessageCodec.decodeClient("{\"cancel\": true, \"token\": \"x\"}"))
                .isEqualTo(new ClientMessage.Cancel());
        assertThat(MessageCodec.decodeServer("{\"token\": \"a\", \"eog\": false, \"id\": 3}"))
                .isEqualTo(new ServerMessage.Piece("a"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"eog\": true}                    | BAD_MESSAGE    | missing \"token\"",
            "{\"token\": 5, \"eog\": true}      | BAD_MESSAGE    | \"token\" must be a string",
            "{\"token\": \"x\", \"eog\": \"yes\"} | BAD_MESSAGE  | \"eog\" must be true or false",
            "{\"cancel\": 1}                    | BAD_MESSAGE    | \"cancel\" must be true or false",
            "{\"token\": }                      | MALFORMED_JSON | malformed JSON",
            "[1, 2]                             | MALFORMED_JSON | expected an object",
            "{\"token\": \"x\"} trailing        | MALFORMED_JSON | malformed JSON"})
    void badShapesGiveTypedErrors(String json, ProtocolException.Kind kind, String reason) {
        assertThatThrownBy(() -> MessageCodec.decodeClient(json))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.kind()).isEqualTo(kind);
                    assertThat(e.getMessage()).contains(reason);
                    assertThat(e.kind().closesConnection()).isFalse();
                });
    }
}
