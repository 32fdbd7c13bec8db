package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link PromptLookup}: what it drafts from a history. Pure Java; JUnit thread. */
class PromptLookupTest {

    private static int[] draft(int[] prompt, int[] answer, int max) {
        TokenList list = new TokenList();
        for (int token : answer) list.add(token);
        int[] out = new int[8];
        int count = PromptLookup.draft(prompt, list, out, max);
        return Arrays.copyOf(out, count);
    }

    @Test
    void theLongestSuffixFoundDecidesAndItsLatestOccurrenceWins() {
        // Last three tokens 7 8 9 occur at 0 (followed by 1 2) and at 5 (followed by 3 4): the latest wins.
        int[] prompt = {7, 8, 9, 1, 2, 7, 8, 9, 3, 4, 5};
        assertThat(draft(prompt, new int[] {7, 8, 9}, 2)).containsExactly(3, 4);
        // 1 8 9 is not found, 8 9 is: what followed its latest occurrence.
        assertThat(draft(prompt, new int[] {1, 8, 9}, 3)).containsExactly(3, 4, 5);
    }

    @Test
    void theAnswerIsSearchedTooAndALoopIsDraftedAsFarAsAsked() {
        int[] prompt = {100, 101};
        // 1 2 3 1 2 3 1: the suffix 3 1 ... continues 2 3 1 2 3 ... beyond the history's end.
        assertThat(draft(prompt, new int[] {1, 2, 3, 1, 2, 3, 1}, 7)).containsExactly(2, 3, 1, 2, 3, 1, 2);
    }

    @Test
    void aSingleMatchingTokenOrNoMatchDraftsNothing() {
        assertThat(draft(new int[] {1, 2, 3}, new int[] {4}, 5)).isEmpty();
        // 5 was seen before, but only as one token: too weak a guess to pay for its row.
        assertThat(draft(new int[] {5, 6, 7}, new int[] {8, 5}, 5)).isEmpty();
        assertThat(draft(new int[0], new int[] {9}, 5)).isEmpty();
    }

    @Test
    void nothingIsDraftedWhenNothingMayBe() {
        assertThat(draft(new int[] {1, 2, 1}, new int[] {2}, 0)).isEmpty();
        assertThat(draft(new int[0], new int[0], 4)).isEmpty();
    }
}
