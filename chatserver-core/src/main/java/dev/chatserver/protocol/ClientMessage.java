package dev.chatserver.protocol;

import java.util.Objects;

/**
 * A message from a client to the server. Immutable; safe to pass between threads.
 *
 * <p>On the wire: {@code {"token": "<text>", "eog": <bool>}} for a {@link Prompt}, {@code {"cancel": true}} for a
 * {@link Cancel}.
 */
public sealed interface ClientMessage {

    /**
     * A prompt or one part of a longer prompt.
     *
     * @param text the text of this part (may be empty)
     * @param eog  true when this part ends the prompt; false when more parts follow and are joined to it
     */
    record Prompt(String text, boolean eog) implements ClientMessage {

        /**
         * Checks the parts.
         *
         * @param text the text
         * @param eog  whether the prompt ends here
         */
        public Prompt {
            Objects.requireNonNull(text, "text");
        }

        /**
         * A whole prompt in one message.
         *
         * @param text the prompt
         * @return a prompt message with {@code eog: true}
         */
        public static Prompt of(String text) {
            return new Prompt(text, true);
        }
    }

    /** Stops the answer in progress; the answer then ends with an end message. */
    record Cancel() implements ClientMessage {
    }
}
