package dev.chatserver.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop strings over streamed pieces: held back while they may still match, cut before the first match. */
class StopScannerTest {

    private static String run(List<String> stops, String... pieces) {
        StopScanner scanner = new StopScanner(stops);
        StringBuilder out = new StringBuilder();
        for (String piece : pieces) out.append(scanner.feed(piece));
        out.append(scanner.finish());
        return out + (scanner.stopped() ? "|stopped" : "");
    }

    @Test
    void aStopSplitOverPiecesEndsTheTextBeforeIt() {
        assertThat(run(List.of("END"), "Hello E", "N", "D and more")).isEqualTo("Hello |stopped");
        assertThat(run(List.of("END"), "Hello EN", "T")).isEqualTo("Hello ENT");
        assertThat(run(List.of("b", "abc"), "xa", "bc")).as("the earliest match wins").isEqualTo("x|stopped");
        assertThat(run(List.of(), "any", "thing")).isEqualTo("anything");
    }

    @Test
    void heldTextIsOnlyAPossibleStart() {
        StopScanner scanner = new StopScanner(List.of("\n\nUser:"));
        assertThat(scanner.feed("one\n")).isEqualTo("one");
        assertThat(scanner.feed("\nUs")).isEmpty();
        assertThat(scanner.feed("ed")).isEqualTo("\n\nUsed");
    }

    @Test
    void neverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00";
        StopScanner scanner = new StopScanner(List.of("\uDE00x"));
        String out = scanner.feed("a" + emoji);
        assertThat(out).isIn("a", "a" + emoji);
        assertThat(out + scanner.finish()).isEqualTo("a" + emoji);
    }
}
