package dev.chatserver.engine;

/**
 * Drafts the tokens a conversation is likely to continue with, by prompt lookup: the most recent earlier occurrence
 * of the conversation's last few tokens in its own history (prompt and answer so far) is taken as a guess of what
 * comes next. No model is involved; the guesses are checked by the model itself (see {@link DecodeStep}), so a wrong
 * guess costs a batch row and never changes an answer. Stateless; used on the engine thread.
 */
final class PromptLookup {

    /** The longest suffix looked up; longer matches are tried first, as they guess better. */
    static final int MAX_NGRAM = 3;
    /**
     * The shortest suffix looked up. A drafted row costs more than the padding row it replaces (it attends to the
     * whole conversation, the padding token to itself alone), and guesses from a single matching token came true too
     * rarely to pay for that: on the stories model, counting them, one guess in six came true, against about one in
     * two from two or three matching tokens alone.
     */
    static final int MIN_NGRAM = 2;

    private PromptLookup() {
    }

    /**
     * Drafts tokens that may follow {@code prompt ++ answer}.
     *
     * <p>For n from {@value #MAX_NGRAM} down to {@value #MIN_NGRAM}, the last n tokens are searched for, latest
     * occurrence first, in the history before them; the first match proposes the tokens that followed it. A match
     * close to the end is continued with its own drafted tokens, so a repeating loop of tokens is drafted as far as
     * asked.
     *
     * @param prompt the prompt's tokens
     * @param answer the answer's tokens so far (its last one is the token being decoded)
     * @param out    receives the drafted tokens
     * @param max    at most this many are drafted, at most {@code out.length}
     * @return how many tokens were drafted into {@code out}: {@code min(max, out.length)}, or 0 without a match
     */
    static int draft(int[] prompt, TokenList answer, int[] out, int max) {
        int length = prompt.length + answer.size();
        max = Math.min(max, out.length);
        if (max <= 0) return 0;
        for (int n = Math.min(MAX_NGRAM, length - 1); n >= MIN_NGRAM; n--) {
            int start = lastOccurrence(prompt, answer, length, n);
            if (start < 0) continue;
            int from = start + n;
            for (int i = 0; i < max; i++) {
                int source = from + i;
                out[i] = source < length ? at(prompt, answer, source) : out[source - length];
            }
            return max;
        }
        return 0;
    }

    /** @return the latest start before the suffix itself of an occurrence of the last n tokens, or -1 */
    private static int lastOccurrence(int[] prompt, TokenList answer, int length, int n) {
        int suffix = length - n;
        for (int start = suffix - 1; start >= 0; start--) {
            int k = 0;
            while (k < n && at(prompt, answer, start + k) == at(prompt, answer, suffix + k)) k++;
            if (k == n) return start;
        }
        return -1;
    }

    private static int at(int[] prompt, TokenList answer, int index) {
        return index < prompt.length ? prompt[index] : answer.get(index - prompt.length);
    }
}
