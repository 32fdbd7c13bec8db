package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8AssemblerTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    /** Feeds the text's bytes in pieces of the given sizes and collects what comes out. */
    private static List<String> feed(byte[] all, int... sizes) {
        Utf8Assembler assembler = new Utf8Assembler();
        List<String> out = new ArrayList<>();
        int at = 0;
        for (int size : sizes) {
            byte[] piece = java.util.Arrays.copyOfRange(all, at, at + size);
            at += size;
            out.add(assembler.append(piece));
        }
        out.add(assembler.finish());
        return out;
    }

    @Test
    void holdsAFourByteCharacterSplitIntoSingleBytesUntilItIsComplete() {
        byte[] emoji = "🙂".getBytes(StandardCharsets.UTF_8);
        assertThat(feed(emoji, 1, 1, 1, 1)).containsExactly("", "", "", "🙂", "");
    }

    @Test
    void emitsEveryWholeCharacterAtOnceAndHoldsOnlyTheTail() {
        byte[] text = "aé€🙂z".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 + 1 bytes
        assertThat(feed(text, 2, 3, 4, 2)).containsExactly("a", "é", "€", "🙂z", "");
        assertThat(String.join("", feed(text, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1))).isEqualTo("aé€🙂z");
    }

    @Test
    void everySplitOfMixedTextConcatenatesToTheOriginal() {
        String original = "Grüße, 世界! 🙂👍 done";
        byte[] all = original.getBytes(StandardCharsets.UTF_8);
        for (int cut1 = 0; cut1 <= all.length; cut1++) {
            for (int cut2 = cut1; cut2 <= all.length; cut2++) {
                List<String> out = feed(all, cut1, cut2 - cut1, all.length - cut2);
                assertThat(String.join("", out)).isEqualTo(original);
                // No emitted piece ever contains half a character (a lone surrogate or U+FFFD).
                out.forEach(piece -> assertThat(piece).doesNotContain("\uFFFD"));
            }
        }
    }

    @Test
    void invalidBytesBecomeReplacementCharacters() {
        assertThat(feed(bytes(0x61, 0xFF, 0x62), 3)).containsExactly("a\uFFFDb", "");
        // A lone continuation byte is never held back.
        assertThat(feed(bytes(0x80), 1)).containsExactly("\uFFFD", "");
        // An overlong lead (0xC0) cannot start a character: not held.
        assertThat(feed(bytes(0xC0), 1).getFirst()).isEqualTo("\uFFFD");
        // A lead byte followed by something that is not a continuation: the lead is replaced, the rest survives.
        assertThat(feed(bytes(0xE2, 0x41), 1, 1)).containsExactly("", "\uFFFDA", "");
    }

    @Test
    void anUnfinishedCharacterAtTheEndBecomesOneReplacementCharacter() {
        assertThat(feed(bytes(0x68, 0xF0, 0x9F, 0x99), 4)).containsExactly("h", "\uFFFD");
    }

    @Test
    void surrogateAndOutOfRangePrefixesAreNotHeld() {
        // 0xED 0xA0 would start a UTF-16 surrogate, 0xF4 0x90 a code point above U+10FFFF: both invalid at once.
        assertThat(Utf8Assembler.incompleteTail(bytes(0xED, 0xA0))).isZero();
        assertThat(Utf8Assembler.incompleteTail(bytes(0xF4, 0x90))).isZero();
        assertThat(Utf8Assembler.incompleteTail(bytes(0xED, 0x9F))).isEqualTo(2);
        assertThat(Utf8Assembler.incompleteTail(bytes(0xF0, 0x9F, 0x99))).isEqualTo(3);
    }
}
