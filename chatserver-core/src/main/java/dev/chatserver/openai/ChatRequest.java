package dev.chatserver.openai;

import dev.chatserver.engine.RequestOptions;
import dev.chatserver.engine.Sampling;
import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.Sampler;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code POST /v1/chat/completions} request, checked. Immutable.
 *
 * @param messages     the conversation, roles mapped to ours ({@code developer} is a system message)
 * @param options      the engine's options: answer length, sampling, penalties
 * @param stops        stop strings, none empty (at most 4)
 * @param stream       answer as server-sent events
 * @param includeUsage with {@code stream}: a last chunk with the usage
 */
record ChatRequest(List<ChatMessage> messages, RequestOptions options, List<String> stops, boolean stream,
                   boolean includeUsage) {

    /** Most stop strings, as OpenAI allows. */
    static final int MAX_STOPS = 4;

    /**
     * @param body the parsed body
     * @return the request
     * @throws ApiError (400) naming the field that is wrong
     */
    static ChatRequest parse(JsonObject body) {
        List<ChatMessage> messages = messages(body);
        if (body.containsKey("n") && integer(body, "n", 1, Integer.MAX_VALUE) != 1) {
            throw ApiError.invalid("n", "only n = 1 is supported");
        }
        unsupported(body);
        int maxTokens = Integer.MAX_VALUE;
        if (present(body, "max_tokens")) maxTokens = integer(body, "max_tokens", 1, Integer.MAX_VALUE);
        if (present(body, "max_completion_tokens")) {
            maxTokens = integer(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        }
        Optional<Sampling> sampling = sampling(body);
        float presence = present(body, "presence_penalty") ? number(body, "presence_penalty", -2, 2) : 0;
        float frequency = present(body, "frequency_penalty") ? number(body, "frequency_penalty", -2, 2) : 0;
        boolean stream = present(body, "stream") && bool(body, "stream");
        boolean usage = false;
        if (present(body, "stream_options")) {
            JsonObject options = object(body, "stream_options");
            usage = present(options, "include_usage") && bool(options, "include_usage");
        }
        return new ChatRequest(messages, new RequestOptions(maxTokens, sampling, presence, frequency), stops(body),
                stream, usage);
    }

    /** Fields that change what the answer must be, which this server cannot honour: refused, not ignored. */
    private static void unsupported(JsonObject body) {
        if (present(body, "tools") && !(body.get("tools") instanceof JsonArray tools && tools.isEmpty())) {
            throw ApiError.invalid("tools", "tools are not supported");
        }
        if (present(body, "logprobs") && body.get("logprobs") == JsonValue.TRUE) {
            throw ApiError.invalid("logprobs", "logprobs are not supported");
        }
        if (present(body, "response_format")) {
            JsonValue type = object(body, "response_format").get("type");
            if (!(type instanceof JsonString s && s.getString().equals("text"))) {
                throw ApiError.invalid("response_format", "only the response format text is supported");
            }
        }
    }

    private static List<ChatMessage> messages(JsonObject body) {
        if (!present(body, "messages")) throw ApiError.invalid("messages", "messages is required");
        if (!(body.get("messages") instanceof JsonArray array) || array.isEmpty()) {
            throw ApiError.invalid("messages", "messages must be a non-empty array");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String param = "messages[" + i + "]";
            if (!(array.get(i) instanceof JsonObject message)) {
                throw ApiError.invalid(param, param + " must be an object");
            }
            String role = message.get("role") instanceof JsonString s ? s.getString() : "";
            String ours = switch (role) {
                case "system", "developer" -> ChatMessage.SYSTEM;
                case "user" -> ChatMessage.USER;
                case "assistant" -> ChatMessage.ASSISTANT;
                default -> throw ApiError.invalid(param + ".role",
                        "role must be system, developer, user or assistant (tools are not supported)");
            };
            messages.add(new ChatMessage(ours, content(message, param, ours)));
        }
        return List.copyOf(messages);
    }

    /** A string, or an array of text parts joined in order; an assistant's may be null (empty). */
    private static String content(JsonObject message, String param, String role) {
        JsonValue content = message.get("content");
        if (content instanceof JsonString s) return s.getString();
        if ((content == null || content == JsonValue.NULL) && role.equals(ChatMessage.ASSISTANT)
                && !message.containsKey("tool_calls")) {
            return "";
        }
        if (content instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                String partParam = param + ".content[" + i + "]";
                if (!(parts.get(i) instanceof JsonObject part)
                        || !(part.get("type") instanceof JsonString type) || !type.getString().equals("text")) {
                    throw ApiError.invalid(partParam, "only content parts of type text are supported");
                }
                if (!(part.get("text") instanceof JsonString partText)) {
                    throw ApiError.invalid(partParam + ".text", "a text part needs a string text");
                }
                text.append(partText.getString());
            }
            return text.toString();
        }
        throw ApiError.invalid(param + ".content", "content must be a string or an array of text parts");
    }

    /** Without a temperature the server's own sampling applies; top_p and seed go with a temperature. */
    private static Optional<Sampling> sampling(JsonObject body) {
        float topP = present(body, "top_p") ? number(body, "top_p", 0, 1) : 1;
        if (topP == 0) throw ApiError.invalid("top_p", "top_p must be above 0");
        long seed = Sampler.RANDOM_SEED;
        if (present(body, "seed")) {
            if (!(body.get("seed") instanceof JsonNumber n) || !n.isIntegral()) {
                throw ApiError.invalid("seed", "seed must be an integer");
            }
            seed = n.bigDecimalValue().toBigInteger().longValue() & 0xFFFF_FFFFL; // llama.cpp takes 32 bits
        }
        if (!present(body, "temperature")) return Optional.empty();
        float temperature = number(body, "temperature", 0, 2);
        if (temperature == 0) return Optional.of(Sampling.greedy());
        return Optional.of(new Sampling(temperature, 0, topP, 0, seed));
    }

    private static List<String> stops(JsonObject body) {
        if (!present(body, "stop")) return List.of();
        JsonValue stop = body.get("stop");
        List<String> stops = new ArrayList<>();
        if (stop instanceof JsonString s) {
            stops.add(s.getString());
        } else if (stop instanceof JsonArray array && array.size() <= MAX_STOPS) {
            for (JsonValue value : array) {
                if (!(value instanceof JsonString s)) throw ApiError.invalid("stop", "stop strings must be strings");
                stops.add(s.getString());
            }
        } else {
            throw ApiError.invalid("stop", "stop must be a string or an array of at most " + MAX_STOPS + " strings");
        }
        stops.removeIf(String::isEmpty);
        return List.copyOf(stops);
    }

    /** @return true when the field is there and not null (clients send null for "unset") */
    private static boolean present(JsonObject object, String name) {
        JsonValue value = object.get(name);
        return value != null && value != JsonValue.NULL;
    }

    private static int integer(JsonObject body, String name, int min, int max) {
        if (!(body.get(name) instanceof JsonNumber n) || !n.isIntegral()) {
            throw ApiError.invalid(name, name + " must be an integer");
        }
        long value = n.bigDecimalValue().max(java.math.BigDecimal.valueOf(Long.MIN_VALUE))
                .min(java.math.BigDecimal.valueOf(Long.MAX_VALUE)).longValue();
        if (value < min || value > max) {
            throw ApiError.invalid(name, name + " must be between " + min + " and " + max);
        }
        return (int) value;
    }

    private static float number(JsonObject body, String name, double min, double max) {
        if (!(body.get(name) instanceof JsonNumber n)) throw ApiError.invalid(name, name + " must be a number");
        double value = n.doubleValue();
        if (!(value >= min && value <= max)) {
            throw ApiError.invalid(name, name + " must be between " + min + " and " + max);
        }
        return (float) value;
    }

    private static boolean bool(JsonObject body, String name) {
        JsonValue value = body.get(name);
        if (value == JsonValue.TRUE) return true;
        if (value == JsonValue.FALSE) return false;
        throw ApiError.invalid(name, name + " must be true or false");
    }

    private static JsonObject object(JsonObject body, String name) {
        if (!(body.get(name) instanceof JsonObject object)) throw ApiError.invalid(name, name + " must be an object");
        return object;
    }
}
