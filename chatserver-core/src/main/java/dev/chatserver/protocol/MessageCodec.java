package dev.chatserver.protocol;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Encodes and decodes the SocketLab messages with jakarta.json (Parsson). Stateless and thread-safe.
 *
 * <p>Decoding ignores unknown fields, so newer peers may add some. A client message missing {@code "eog"} counts as
 * {@code "eog": true} (a whole prompt).
 */
public final class MessageCodec {

    private static final JsonParserFactory PARSERS = Json.createParserFactory(Map.of());
    private static final JsonGeneratorFactory GENERATORS = Json.createGeneratorFactory(Map.of());

    private MessageCodec() {
    }

    /**
     * Encodes a server message as one line of JSON text.
     *
     * @param message the message
     * @return the UTF-8 bytes of the JSON object followed by {@code \n}: one write on the wire
     */
    public static byte[] encodeLine(ServerMessage message) {
        byte[] json = encode(message).getBytes(StandardCharsets.UTF_8);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    /**
     * Encodes a server message.
     *
     * @param message the message
     * @return e.g. {@code {"token":"Hi","eog":false}} or {@code {"token":"","eog":true,"error":"server busy"}}
     */
    public static String encode(ServerMessage message) {
        return object(json -> {
            switch (message) {
                case ServerMessage.Piece piece -> json.write("token", piece.token()).write("eog", false);
                case ServerMessage.End end -> {
                    json.write("token", "").write("eog", true);
                    end.error().ifPresent(error -> json.write("error", error));
                    end.finish().ifPresent(finish -> json.write("finish", finish.wire()));
                    if (end.droppedTurns() > 0) json.write("dropped", end.droppedTurns());
                }
            }
        });
    }

    /**
     * Encodes a client message.
     *
     * @param message the message
     * @return e.g. {@code {"token":"Hello","eog":true}} or {@code {"cancel":true}}
     */
    public static String encode(ClientMessage message) {
        return object(json -> {
            switch (message) {
                case ClientMessage.Prompt prompt -> json.write("token", prompt.text()).write("eog", prompt.eog());
                case ClientMessage.Cancel ignored -> json.write("cancel", true);
            }
        });
    }

    /** @return the text of one JSON object whose fields {@code fields} writes */
    private static String object(Consumer<JsonGenerator> fields) {
        StringWriter text = new StringWriter(64);
        try (JsonGenerator json = GENERATORS.createGenerator(text)) {
            json.writeStartObject();
            fields.accept(json);
            json.writeEnd();
        }
        return text.toString();
    }

    /**
     * Decodes a message a client sent.
     *
     * @param json one JSON object
     * @return the message
     * @throws ProtocolException {@link ProtocolException.Kind#MALFORMED_JSON} or
     *                           {@link ProtocolException.Kind#BAD_MESSAGE}
     */
    public static ClientMessage decodeClient(String json) throws ProtocolException {
        JsonObject object = parse(json);
        JsonValue cancel = object.get("cancel");
        if (cancel != null) {
            if (cancel.getValueType() == JsonValue.ValueType.TRUE) return new ClientMessage.Cancel();
            if (cancel.getValueType() != JsonValue.ValueType.FALSE) throw badShape("\"cancel\" must be true or false");
        }
        String token = requiredString(object, "token");
        boolean eog = optionalBoolean(object, "eog", true);
        return new ClientMessage.Prompt(token, eog);
    }

    /**
     * Decodes a message a server sent. The token of a final message is ignored (SocketLab servers send it empty).
     *
     * @param json one JSON object
     * @return the message
     * @throws ProtocolException {@link ProtocolException.Kind#MALFORMED_JSON} or
     *                           {@link ProtocolException.Kind#BAD_MESSAGE}
     */
    public static ServerMessage decodeServer(String json) throws ProtocolException {
        JsonObject object = parse(json);
        String token = requiredString(object, "token");
        if (!optionalBoolean(object, "eog", false)) return new ServerMessage.Piece(token);
        Optional<String> error = optionalString(object, "error");
        Optional<ServerMessage.Finish> finish = optionalString(object, "finish").flatMap(ServerMessage.Finish::of);
        int dropped = object.get("dropped") instanceof JsonNumber number && number.isIntegral()
                ? Math.max(0, number.intValue()) : 0;
        return new ServerMessage.End(error, finish, dropped);
    }

    private static Optional<String> optionalString(JsonObject object, String field) throws ProtocolException {
        JsonValue value = object.get(field);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) return Optional.empty();
        if (value instanceof JsonString text) return Optional.of(text.getString());
        throw badShape("\"" + field + "\" must be a string");
    }

    /** Deepest nesting of objects and arrays a message may have; the protocol's messages have one level. */
    public static final int MAX_DEPTH = 32;
    /** Longest number a message may hold, in characters; the protocol's messages hold none. */
    public static final int MAX_NUMBER_CHARS = 64;

    /**
     * Checks nesting depth and number lengths before the parser sees the text: the parser's own limits (about 1000
     * levels, 1100 digits) throw exceptions of their own, and deep nesting costs it stack.
     */
    private static void checkShape(String json) throws ProtocolException {
        int depth = 0;
        int digits = 0;
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (escaped) escaped = false;
                else if (c == '\\') escaped = true;
                else if (c == '"') inString = false;
                continue;
            }
            boolean numberChar = c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
            digits = numberChar ? digits + 1 : 0;
            if (digits > MAX_NUMBER_CHARS) {
                throw new ProtocolException(ProtocolException.Kind.MALFORMED_JSON,
                        "malformed JSON: a number longer than " + MAX_NUMBER_CHARS + " characters");
            }
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH) {
                    throw new ProtocolException(ProtocolException.Kind.MALFORMED_JSON,
                            "malformed JSON: nested deeper than " + MAX_DEPTH + " levels");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }

    private static JsonObject parse(String json) throws ProtocolException {
        checkShape(json);
        try (JsonParser parser = PARSERS.createParser(new StringReader(json))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                throw new ProtocolException(ProtocolException.Kind.MALFORMED_JSON,
                        "malformed JSON: expected an object");
            }
            JsonObject object = parser.getObject();
            if (parser.hasNext()) {
                throw new ProtocolException(ProtocolException.Kind.MALFORMED_JSON,
                        "malformed JSON: text after the object");
            }
            return object;
        } catch (JsonException | IllegalStateException | NoSuchElementException e) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_JSON, "malformed JSON: " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // Whatever else the parser throws on input it cannot take is still the client's bad message, not ours.
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_JSON, "malformed JSON: the parser refused it ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static String requiredString(JsonObject object, String field) throws ProtocolException {
        JsonValue value = object.get(field);
        if (value == null) throw badShape("missing \"" + field + "\" (a string)");
        if (value instanceof JsonString text) return text.getString();
        throw badShape("\"" + field + "\" must be a string");
    }

    private static boolean optionalBoolean(JsonObject object, String field, boolean absent) throws ProtocolException {
        JsonValue value = object.get(field);
        if (value == null) return absent;
        return switch (value.getValueType()) {
            case TRUE -> true;
            case FALSE -> false;
            default -> throw badShape("\"" + field + "\" must be true or false");
        };
    }

    private static ProtocolException badShape(String reason) {
        return new ProtocolException(ProtocolException.Kind.BAD_MESSAGE, "bad message: " + reason);
    }
}
