package dev.chatserver.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerMessageReaderTest {

    /** Hands out at most n bytes per read, like a socket under load. */
    private static InputStream trickle(String text, int n) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        return new InputStream() {
            @Override
            public int read() {
                return bytes.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return bytes.read(b, off, Math.min(n, len));
            }
        };
    }

    @Test
    void readsMessagesWithAnyFraming() throws IOException, ProtocolException {
        String wire = "{\"token\":\"Hé\",\"eog\":false}\n{\"token\":\"llo\",\"eog\":false}"
                + "{\"token\":\"\",\"eog\":true}"
                + "  {\"token\":\"\",\"eog\":true,\"error\":\"server busy\"}\n";
        for (int n : new int[] {1, 3, 7, 1000}) {
            ServerMessageReader reader = ServerMessageReader.over(trickle(wire, n));
            assertThat(reader.next()).contains(new ServerMessage.Piece("Hé"));
            assertThat(reader.next()).contains(new ServerMessage.Piece("llo"));
            assertThat(reader.next()).contains(ServerMessage.End.ok());
            assertThat(reader.next()).contains(ServerMessage.End.error("server busy"));
            assertThat(reader.next()).isEqualTo(Optional.empty());
        }
    }

    @Test
    void somethingThatIsNotAMessageIsAProtocolError() throws IOException, ProtocolException {
        ServerMessageReader reader = ServerMessageReader.over(trickle("{\"token\":\"a\",\"eog\":false}oops\n", 100));
        assertThat(reader.next()).contains(new ServerMessage.Piece("a"));
        assertThatThrownBy(reader::next).isInstanceOf(ProtocolException.class).hasMessageContaining("malformed JSON");
        assertThat(reader.next()).isEmpty();
    }
}
