package dev.chatserver.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * A message from the server to a client. Immutable; safe to pass between threads.
 *
 * <p>On the wire: {@code {"token": "<piece>", "eog": false}} for a {@link Piece}, {@code {"token": "", "eog": true}}
 * for an {@link End}, with {@code "error": "<reason>"} when the answer failed.
 */
public sealed interface ServerMessage {

    /**
     * One piece of an answer (one or more whole characters).
     *
     * @param token the text
     */
    record Piece(String token) implements ServerMessage {

        /**
         * Checks the parts.
         *
         * @param token the text
         */
        public Piece {
            Objects.requireNonNull(token, "token");
        }
    }

    /**
     * The end of an answer, or the reply to a request that could not be answered.
     *
     * @param error why the answer failed or was refused; empty when it ended normally
     */
    record End(Optional<String> error) implements ServerMessage {

        /**
         * Checks the parts.
         *
         * @param error the reason, or empty
         */
        public End {
            Objects.requireNonNull(error, "error");
        }

        /** @return the end of an answer that ended normally (or was cancelled by the client) */
        public static End ok() {
            return new End(Optional.empty());
        }

        /**
         * The end of a failed or refused request.
         *
         * @param reason the reason in words, shown to the user
         * @return an end message carrying {@code "error"}
         */
        public static End error(String reason) {
            return new End(Optional.of(reason));
        }
    }
}
