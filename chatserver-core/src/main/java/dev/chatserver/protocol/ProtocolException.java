package dev.chatserver.protocol;

import java.util.Objects;

/**
 * Input that breaks the wire protocol. The message is the reason in words, fit to send to the client as the
 * {@code "error"} of an end message (never a stack trace).
 */
public final class ProtocolException extends Exception {

    /** What was wrong, and whether the connection can go on. */
    public enum Kind {
        /** Not JSON, or not a JSON object. The connection stays usable. */
        MALFORMED_JSON(false),
        /** A JSON object of the wrong shape (e.g. no {@code "token"} string). The connection stays usable. */
        BAD_MESSAGE(false),
        /**
         * A message whose bytes are not valid UTF-8. A TCP connection stays usable; a WebSocket closes after the
         * error (close code 1007), as RFC 6455 requires.
         */
        INVALID_UTF8(false),
        /** A message or joined prompt over the size limit. The connection is closed after the error. */
        TOO_LARGE(true),
        /** More prompts waiting for an answer than allowed. The connection is closed after the error. */
        TOO_MANY_PENDING(true),
        /** The input starts like an HTTP request. The connection is closed at once, without an answer. */
        HTTP_REQUEST(true);

        private final boolean closesConnection;

        Kind(boolean closesConnection) {
            this.closesConnection = closesConnection;
        }

        /** @return true when the connection must be closed after this problem */
        public boolean closesConnection() {
            return closesConnection;
        }
    }

    private final Kind kind;

    /**
     * Creates the exception.
     *
     * @param kind   what was wrong
     * @param reason the reason in words
     */
    public ProtocolException(Kind kind, String reason) {
        super(reason, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** @return what was wrong */
    public Kind kind() {
        return kind;
    }
}
