package dev.chatserver.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * A message from the server to a client. Immutable; safe to pass between threads.
 *
 * <p>On the wire: {@code {"token": "<piece>", "eog": false}} for a {@link Piece}, {@code {"token": "", "eog": true}}
 * for an {@link End}, with {@code "error": "<reason>"} when the answer failed and {@code "finish"} saying how an
 * answer that ran ended.
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
     * How an answer that ran ended, in the end message's {@code "finish"} field (old peers ignore it).
     */
    enum Finish {
        /** The model ended the answer itself: {@code "stop"}. */
        STOP("stop"),
        /** Cut by the token limit per answer or the end of the context window: {@code "length"}. */
        LENGTH("length");

        private final String wire;

        Finish(String wire) {
            this.wire = wire;
        }

        /** @return the value on the wire */
        public String wire() {
            return wire;
        }

        /**
         * Reads a wire value.
         *
         * @param wire the value of {@code "finish"}
         * @return the reason, or empty for a value this version does not know
         */
        public static Optional<Finish> of(String wire) {
            for (Finish finish : values()) {
                if (finish.wire.equals(wire)) return Optional.of(finish);
            }
            return Optional.empty();
        }
    }

    /**
     * The end of an answer, or the reply to a request that could not be answered.
     *
     * <p>On the wire {@code {"token": "", "eog": true}}, plus {@code "error"} when present, {@code "finish"} when
     * known, and {@code "dropped": n} when the oldest {@code n} turns were dropped to fit the context window.
     *
     * @param error        why the answer failed or was refused; empty when it ended normally
     * @param finish       how an answer that ran ended; empty when that is not known (or it was cancelled)
     * @param droppedTurns oldest turns dropped from the conversation to make this answer fit; 0 when none
     */
    record End(Optional<String> error, Optional<Finish> finish, int droppedTurns) implements ServerMessage {

        /**
         * Checks the parts.
         *
         * @param error        the reason, or empty
         * @param finish       how it ended, or empty
         * @param droppedTurns turns dropped, at least 0
         */
        public End {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(finish, "finish");
            if (droppedTurns < 0) throw new IllegalArgumentException("droppedTurns < 0: " + droppedTurns);
        }

        /**
         * An end with only an error (or none).
         *
         * @param error the reason, or empty
         */
        public End(Optional<String> error) {
            this(error, Optional.empty(), 0);
        }

        /** @return the end of an answer that ended normally (or was cancelled by the client) */
        public static End ok() {
            return new End(Optional.empty());
        }

        /**
         * The end of an answer that ran to its end or its limit.
         *
         * @param finish       how it ended
         * @param droppedTurns oldest turns dropped to fit the context window
         * @return an end message carrying {@code "finish"} (and {@code "dropped"} when not 0)
         */
        public static End finished(Finish finish, int droppedTurns) {
            return new End(Optional.empty(), Optional.of(finish), droppedTurns);
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
