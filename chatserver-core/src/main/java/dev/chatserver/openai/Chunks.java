package dev.chatserver.openai;

import dev.chatserver.engine.Completion;
import dev.chatserver.engine.FinishReason;
import dev.chatserver.engine.ReplyStats;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * The JSON of one completion's responses: the whole {@code chat.completion}, or its {@code chat.completion.chunk}s.
 * Immutable; any thread.
 *
 * @param id      {@code chatcmpl-...}, the same in every chunk
 * @param created seconds since the epoch
 * @param model   the model name answered with
 */
record Chunks(String id, long created, String model) {

    /** @return OpenAI's finish reason: {@code stop} (end of generation or a stop string) or {@code length} */
    static String finishReason(Completion completion, boolean stopString) {
        if (stopString) return "stop";
        return completion.reason() == FinishReason.MAX_TOKENS ? "length" : "stop";
    }

    /** {@code usage} with {@code prompt_tokens_details.cached_tokens}: the prompt tokens reused, not decoded. */
    static JsonObject usage(ReplyStats stats) {
        int prompt = stats.promptTokens() + stats.cachedTokens();
        return Json.createObjectBuilder()
                .add("prompt_tokens", prompt)
                .add("completion_tokens", stats.generatedTokens())
                .add("total_tokens", prompt + stats.generatedTokens())
                .add("prompt_tokens_details", Json.createObjectBuilder().add("cached_tokens", stats.cachedTokens()))
                .build();
    }

    /** @return the non-streaming response */
    String completion(String text, String finishReason, ReplyStats stats) {
        JsonObjectBuilder message = Json.createObjectBuilder().add("role", "assistant").add("content", text)
                .addNull("refusal");
        JsonObjectBuilder choice = Json.createObjectBuilder().add("index", 0).add("message", message)
                .addNull("logprobs").add("finish_reason", finishReason);
        return head("chat.completion").add("choices", Json.createArrayBuilder().add(choice))
                .add("usage", usage(stats)).build().toString();
    }

    /** @return the first chunk: the role, empty content */
    String roleChunk(boolean withUsage) {
        return chunk(Json.createObjectBuilder().add("role", "assistant").add("content", ""), null, withUsage);
    }

    /** @return a chunk of answer text */
    String textChunk(String text, boolean withUsage) {
        return chunk(Json.createObjectBuilder().add("content", text), null, withUsage);
    }

    /** @return the chunk with the finish reason and an empty delta */
    String finishChunk(String finishReason, boolean withUsage) {
        return chunk(Json.createObjectBuilder(), finishReason, withUsage);
    }

    /** @return the last chunk of a stream that asked for usage: no choices, the usage */
    String usageChunk(ReplyStats stats) {
        return head("chat.completion.chunk").add("choices", Json.createArrayBuilder()).add("usage", usage(stats))
                .build().toString();
    }

    /** With {@code stream_options.include_usage}, every chunk but the last carries {@code "usage": null}. */
    private String chunk(JsonObjectBuilder delta, String finishReason, boolean withUsage) {
        JsonObjectBuilder choice = Json.createObjectBuilder().add("index", 0).add("delta", delta).addNull("logprobs");
        if (finishReason == null) choice.addNull("finish_reason"); else choice.add("finish_reason", finishReason);
        JsonObjectBuilder chunk = head("chat.completion.chunk").add("choices", Json.createArrayBuilder().add(choice));
        if (withUsage) chunk.addNull("usage");
        return chunk.build().toString();
    }

    private JsonObjectBuilder head(String object) {
        return Json.createObjectBuilder().add("id", id).add("object", object).add("created", created)
                .add("model", model);
    }
}
