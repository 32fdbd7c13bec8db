package dev.chatserver.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a byte stream into the texts of whole JSON objects, whatever the framing: several objects in one read,
 * one object split over several reads, any whitespace (or none) between objects.
 *
 * <p>It tracks only what decides where an object ends (strings, escapes, nesting); the JSON parser judges the rest.
 * Bytes outside an object that are not whitespace are reported once per run as malformed input and skipped up to
 * the next newline or opening brace. A raw control character inside a string (JSON forbids them, and a newline there
 * means a broken message) ends the object as malformed, so the stream resynchronises at the next line. Input that
 * starts like an HTTP request is a fatal problem, as is an object over the size limit. Each object's bytes are
 * decoded strictly as UTF-8.
 *
 * <p>Mutable; used by one thread at a time (the connection's reader).
 */
public final class JsonObjectStream {

    /** The default largest message, in bytes of UTF-8: 64 KiB. */
    public static final int DEFAULT_MAX_OBJECT_BYTES = 64 * 1024;

    /** Where {@link JsonObjectStream} delivers what it found. Called on the thread that calls {@code feed}. */
    public interface Sink {

        /**
         * A whole JSON object (syntax not yet checked).
         *
         * @param json its text
         * @throws ProtocolException a fatal problem found by the receiver; {@code feed} passes it on
         */
        void onObject(String json) throws ProtocolException;

        /**
         * Input that was skipped; the stream goes on.
         *
         * @param problem {@link ProtocolException.Kind#MALFORMED_JSON} or {@link ProtocolException.Kind#INVALID_UTF8}
         * @throws ProtocolException a fatal problem found by the receiver; {@code feed} passes it on
         */
        void onMalformed(ProtocolException problem) throws ProtocolException;
    }

    /** Request lines a browser or HTTP client may start with, each followed by a space. */
    private static final List<byte[]> HTTP_METHODS = List.of("GET ", "HEAD ", "POST ", "PUT ", "DELETE ",
            "CONNECT ", "OPTIONS ", "TRACE ", "PATCH ", "PRI ").stream()
            .map(method -> method.getBytes(StandardCharsets.US_ASCII)).toList();
    private static final int LONGEST_METHOD = 8;
    /** Buffer kept between messages; a bigger one (after a big message) is dropped so idle connections stay small. */
    private static final int KEPT_CAPACITY = 1024;

    private enum State { BETWEEN, OBJECT, STRING, ESCAPE, GARBAGE, SKIP }

    private final int maxObjectBytes;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    private byte[] object = new byte[256];
    private int length;
    private int depth;
    private State state = State.BETWEEN;
    /** First bytes of a run of garbage, to tell an HTTP request line from other junk. */
    private final byte[] garbage = new byte[LONGEST_METHOD];
    private int garbageLength;
    private boolean failed;

    private JsonObjectStream(int maxObjectBytes) {
        if (maxObjectBytes < 2) throw new IllegalArgumentException("max object bytes must be >= 2: " + maxObjectBytes);
        this.maxObjectBytes = maxObjectBytes;
    }

    /**
     * Creates a splitter.
     *
     * @param maxObjectBytes the largest object accepted, in bytes
     * @return a splitter at the start of a stream
     */
    public static JsonObjectStream create(int maxObjectBytes) {
        return new JsonObjectStream(maxObjectBytes);
    }

    /**
     * Feeds the next bytes of the stream.
     *
     * @param bytes the bytes
     * @param sink  receives whole objects and skipped input, in stream order
     * @throws ProtocolException {@link ProtocolException.Kind#TOO_LARGE}, {@link ProtocolException.Kind#HTTP_REQUEST}
     *                           or a fatal problem of the sink; the stream is then unusable
     */
    public void feed(byte[] bytes, Sink sink) throws ProtocolException {
        feed(ByteBuffer.wrap(bytes), sink);
    }

    /**
     * Feeds the next bytes of the stream.
     *
     * @param bytes the bytes from position to limit; all are consumed
     * @param sink  receives whole objects and skipped input, in stream order
     * @throws ProtocolException {@link ProtocolException.Kind#TOO_LARGE}, {@link ProtocolException.Kind#HTTP_REQUEST}
     *                           or a fatal problem of the sink; the stream is then unusable
     */
    public void feed(ByteBuffer bytes, Sink sink) throws ProtocolException {
        if (failed) throw new IllegalStateException("the stream already failed");
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            try {
                accept(b, sink);
            } catch (ProtocolException e) {
                failed = true;
                bytes.position(bytes.limit());
                throw e;
            }
        }
    }

    /** @return true when no part of an object is buffered (the stream is between messages) */
    public boolean isBetweenObjects() {
        return state == State.BETWEEN || state == State.SKIP;
    }

    private void accept(byte b, Sink sink) throws ProtocolException {
        switch (state) {
            case BETWEEN -> {
                if (b == '{') startObject();
                else if (!isWhitespace(b)) startGarbage(b, sink);
            }
            case OBJECT -> {
                append(b);
                if (b == '"') state = State.STRING;
                else if (b == '{' || b == '[') depth++;
                else if ((b == '}' || b == ']') && --depth == 0) emit(sink);
            }
            case STRING, ESCAPE -> {
                if (b >= 0 && b < 0x20) {
                    brokenString(b, sink);
                    return;
                }
                append(b);
                if (state == State.ESCAPE) state = State.STRING;
                else if (b == '\\') state = State.ESCAPE;
                else if (b == '"') state = State.OBJECT;
            }
            case GARBAGE -> continueGarbage(b, sink);
            case SKIP -> {
                if (b == '\n') state = State.BETWEEN;
                else if (b == '{') startObject();
            }
        }
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private void startObject() throws ProtocolException {
        length = 0;
        depth = 1;
        state = State.OBJECT;
        append((byte) '{');
    }

    private void append(byte b) throws ProtocolException {
        if (length == maxObjectBytes) {
            throw new ProtocolException(ProtocolException.Kind.TOO_LARGE,
                    "message too large: the limit is " + maxObjectBytes + " bytes");
        }
        if (length == object.length) object = Arrays.copyOf(object, Math.min(maxObjectBytes, object.length * 2));
        object[length++] = b;
    }

    private void emit(Sink sink) throws ProtocolException {
        state = State.BETWEEN;
        String text;
        try {
            text = utf8.reset().decode(ByteBuffer.wrap(object, 0, length)).toString();
        } catch (CharacterCodingException e) {
            text = null;
        }
        forget();
        if (text == null) {
            sink.onMalformed(new ProtocolException(ProtocolException.Kind.INVALID_UTF8,
                    "message is not valid UTF-8"));
        } else {
            sink.onObject(text);
        }
    }

    private void brokenString(byte b, Sink sink) throws ProtocolException {
        forget();
        state = b == '\n' ? State.BETWEEN : State.SKIP;
        sink.onMalformed(new ProtocolException(ProtocolException.Kind.MALFORMED_JSON,
                "malformed JSON: control character inside a string"));
    }

    private void forget() {
        length = 0;
        depth = 0;
        if (object.length > KEPT_CAPACITY) object = new byte[256];
    }

    private void startGarbage(byte b, Sink sink) throws ProtocolException {
        garbageLength = 0;
        state = State.GARBAGE;
        continueGarbage(b, sink);
    }

    /** Collects the first bytes of junk until they either form an HTTP request line or cannot start one. */
    private void continueGarbage(byte b, Sink sink) throws ProtocolException {
        garbage[garbageLength++] = b;
        boolean couldBeHttp = false;
        for (byte[] method : HTTP_METHODS) {
            int n = Math.min(garbageLength, method.length);
            if (Arrays.equals(garbage, 0, n, method, 0, n)) {
                if (garbageLength >= method.length) {
                    throw new ProtocolException(ProtocolException.Kind.HTTP_REQUEST,
                            "this is a raw TCP chat port, not an HTTP server");
                }
                couldBeHttp = true;
            }
        }
        if (couldBeHttp) return;
        sink.onMalformed(new ProtocolException(ProtocolException.Kind.MALFORMED_JSON,
                "malformed JSON: expected an object starting with '{'"));
        state = State.SKIP;
        if (b == '\n') state = State.BETWEEN;
        else if (b == '{') startObject();
    }
}
