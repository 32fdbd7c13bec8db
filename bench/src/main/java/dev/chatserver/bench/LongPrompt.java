package dev.chatserver.bench;

import java.util.function.ToIntFunction;

/**
 * A long user message cut to a wanted number of prompt tokens for one implementation: the first {@code n} words of
 * a fixed text repeated as often as needed, with {@code n} the largest whose whole prompt (template and
 * beginning-of-sequence token included, counted by that implementation's own tokenizer) does not exceed the target.
 * Every implementation so gets the same words up to the last few and the same token count up to the size of a
 * word. Stateless; any thread.
 */
final class LongPrompt {

    /** The text the message is cut from; plain words and punctuation, nothing a template could read as control. */
    private static final String[] WORDS = ("Once upon a time there was a little girl named Lily. She had a small "
            + "robot that could paint, and each day the robot would look at the water and the sky and then make a "
            + "long picture of what it could see. One day the robot said that it would like to paint the people of "
            + "the town as well. Lily was happy, and the two of them went down to the side of the water, where many "
            + "people had come to see the boats. The robot did not know how to paint a face, so it looked for a "
            + "long time at each one and made a number of small lines, then more, until the face was there. When "
            + "the day was over, the people came to look at what the robot had made, and they said that they had "
            + "never seen a picture like it.").split(" ");

    private LongPrompt() {
    }

    /**
     * A message and its measured size.
     *
     * @param text   the user message
     * @param words  words in it
     * @param tokens prompt tokens it gives, counted by the implementation it was fitted for
     */
    record Fitted(String text, int words, int tokens) {
    }

    /** @return the first {@code count} words of the text, repeated as often as needed */
    static String words(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) text.append(' ');
            text.append(WORDS[i % WORDS.length]);
        }
        return text.toString();
    }

    /**
     * The longest message whose prompt has at most {@code target} tokens.
     *
     * @param target       prompt tokens wanted
     * @param promptTokens counts the prompt tokens of a message (one implementation's tokenizer and template)
     * @throws IllegalArgumentException when even a one-word message exceeds the target
     */
    static Fitted fit(int target, ToIntFunction<String> promptTokens) {
        int fits = 1;
        int fitsTokens = promptTokens.applyAsInt(words(1));
        if (fitsTokens > target) {
            throw new IllegalArgumentException("a one-word message already needs " + fitsTokens
                    + " prompt tokens, more than " + target);
        }
        // each word is a token at least: a message of `target` words exceeds the target, unless it is cut short
        int tooMany = target + 1;
        while (fits + 1 < tooMany) {
            int middle = (fits + tooMany) >>> 1;
            int tokens = promptTokens.applyAsInt(words(middle));
            if (tokens <= target) {
                fits = middle;
                fitsTokens = tokens;
            } else {
                tooMany = middle;
            }
        }
        return new Fitted(words(fits), fits, fitsTokens);
    }
}
