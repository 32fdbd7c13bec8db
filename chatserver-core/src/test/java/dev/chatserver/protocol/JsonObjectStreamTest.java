package dev.chatserver.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonObjectStreamTest {

    /** Collects what the stream found, objects as text and problems as "!KIND". */
    private static final class Found implements JsonObjectStream.Sink {
        final List<String> items = new ArrayList<>();

        @Override
        public void onObject(String json) {
            items.add(json);
        }

        @Override
        public void onMalformed(ProtocolException problem) {
            items.add("!" + problem.kind());
        }
    }

    private static List<String> split(String... reads) throws ProtocolException {
        JsonObjectStream stream = JsonObjectStream.create(JsonObjectStream.DEFAULT_MAX_OBJECT_BYTES);
        Found found = new Found();
        for (String read : reads) stream.feed(read.getBytes(StandardCharsets.UTF_8), found);
        return found.items;
    }

    @Test
    void severalObjectsInOneReadWithAnySeparator() throws ProtocolException {
        assertThat(split("{\"a\":1}{\"b\":2}\n{\"c\":3} \r\n\t{\"d\":4}"))
                .containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}");
    }

    @Test
    void objectSplitByteByByte() throws ProtocolException {
        String message = "{\"token\": \"Hé } { \\\" \\\\\", \"eog\": true, \"x\": {\"y\": [1, {}]}}";
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        JsonObjectStream stream = JsonObjectStream.create(1024);
        Found found = new Found();
        for (byte b : bytes) stream.feed(new byte[] {b}, found);
        assertThat(found.items).containsExactly(message);
        assertThat(stream.isBetweenObjects()).isTrue();
    }

    @Test
    void bracesInsideStringsDoNotEndTheObject() throws ProtocolException {
        assertThat(split("{\"token\":\"}}}\"}", "{\"token\":\"\\\"}\"}"))
                .containsExactly("{\"token\":\"}}}\"}", "{\"token\":\"\\\"}\"}");
    }

    @Test
    void junkBetweenObjectsIsReportedOnceAndSkippedToTheNextObject() throws ProtocolException {
        assertThat(split("hello world\n{\"a\":1}", "xyz{\"b\":2}"))
                .containsExactly("!MALFORMED_JSON", "{\"a\":1}", "!MALFORMED_JSON", "{\"b\":2}");
    }

    @Test
    void aNewlineInsideAStringBreaksOnlyThatObject() throws ProtocolException {
        assertThat(split("{\"token\": \"unterminated\n{\"token\":\"ok\"}"))
                .containsExactly("!MALFORMED_JSON", "{\"token\":\"ok\"}");
    }

    @Test
    void invalidUtf8IsReportedAndTheStreamGoesOn() throws ProtocolException {
        JsonObjectStream stream = JsonObjectStream.create(1024);
        Found found = new Found();
        stream.feed(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, found);
        stream.feed(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}, found);
        stream.feed("{\"t\":\"é\"}".getBytes(StandardCharsets.UTF_8), found);
        assertThat(found.items).containsExactly("!INVALID_UTF8", "!INVALID_UTF8", "{\"t\":\"é\"}");
    }

    @Test
    void anObjectOverTheLimitIsFatal() throws ProtocolException {
        JsonObjectStream stream = JsonObjectStream.create(16);
        Found found = new Found();
        stream.feed("{\"a\":\"123456\"}".getBytes(StandardCharsets.UTF_8), found);
        assertThat(found.items).hasSize(1);
        assertThatThrownBy(() -> stream.feed("{\"a\":\"1234567890\"}".getBytes(StandardCharsets.UTF_8), found))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.TOO_LARGE);
                    assertThat(e.kind().closesConnection()).isTrue();
                    assertThat(e.getMessage()).contains("16 bytes");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\n", "POST /x HTTP/1.1\r\n", "PUT ", "HEAD /", "OPTIONS * HTTP/1.1",
            "DELETE /a", "CONNECT host:443", "PATCH /p", "PRI * HTTP/2.0"})
    void httpRequestIsFatal(String start) {
        assertThatThrownBy(() -> split(start))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.HTTP_REQUEST));
    }

    @Test
    void httpRequestSplitOverReadsIsFatal() {
        assertThatThrownBy(() -> split("G", "E", "T", " /"))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.HTTP_REQUEST));
    }

    @Test
    void wordsThatMerelyStartLikeAMethodAreJunk() throws ProtocolException {
        assertThat(split("GETTING\n{\"a\":1}")).containsExactly("!MALFORMED_JSON", "{\"a\":1}");
    }
}
