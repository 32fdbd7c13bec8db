package dev.chatserver.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The long prompt is the longest whole-word message within the target, whatever the tokenizer. */
class LongPromptTest {

    /** A stand-in tokenizer: a template of {@code overhead} tokens, and each word of n letters ⌈n / 4⌉ tokens. */
    private static int tokens(String text, int overhead) {
        int count = overhead;
        for (String word : text.split(" ")) count += (word.length() + 3) / 4;
        return count;
    }

    @Test
    void fitsTheLongestMessageAtOrBelowTheTarget() {
        LongPrompt.Fitted fitted = LongPrompt.fit(1000, text -> tokens(text, 12));

        assertThat(fitted.tokens()).isEqualTo(tokens(fitted.text(), 12)).isBetween(998, 1000);
        assertThat(tokens(LongPrompt.words(fitted.words() + 1), 12)).isGreaterThan(1000);
        assertThat(fitted.text().split(" ")).hasSize(fitted.words());
    }

    @Test
    void aLargerTemplateGetsFewerWordsOfTheSameText() {
        LongPrompt.Fitted plain = LongPrompt.fit(500, text -> tokens(text, 5));
        LongPrompt.Fitted wrapped = LongPrompt.fit(500, text -> tokens(text, 60));

        assertThat(wrapped.words()).isLessThan(plain.words());
        assertThat(plain.text()).startsWith(wrapped.text());
    }

    @Test
    void theTextRepeatsBeyondItsEnd() {
        assertThat(LongPrompt.words(3000).split(" ")).hasSize(3000);
        assertThat(LongPrompt.words(1)).isEqualTo("Once");
    }

    @Test
    void aTargetBelowTheTemplateIsRefusedWithTheReason() {
        assertThatThrownBy(() -> LongPrompt.fit(10, text -> tokens(text, 20)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("21").hasMessageContaining("10");
    }

    @Test
    void theContextCutsThePromptToWhatLeavesRoomForTheReply() {
        assertThat(LongPromptBenchmark.context(512)).isEqualTo(512);
        assertThat(LongPromptBenchmark.context(32_768)).isEqualTo(LongPromptBenchmark.CONTEXT);
        assertThat(LongPromptBenchmark.context(0)).isEqualTo(LongPromptBenchmark.CONTEXT);
        assertThat(LongPromptBenchmark.target(1000, 512, 4)).isEqualTo(512 - 4 - LongPromptBenchmark.MARGIN);
        assertThat(LongPromptBenchmark.target(1000, 2048, 4)).isEqualTo(1000);
    }
}
