package dev.chatserver.openai;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.Reply;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.OptionalLong;

/**
 * {@code POST /v1/chat/completions}: reads and checks the body, hands the conversation to the engine as a stateless
 * request and answers as {@link AnswerListener} says. Runs on the request's virtual thread, which waits for the
 * reply (the engine thread never waits for it).
 */
final class CompletionsHandler implements Handler {

    private static final SecureRandom IDS = new SecureRandom();

    private final ChatEngine engine;
    private final int maxBodyBytes;

    CompletionsHandler(ChatEngine engine, int maxBodyBytes) {
        this.engine = engine;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ChatRequest request = ChatRequest.parse(body(req, maxBodyBytes));
        byte[] id = new byte[12];
        IDS.nextBytes(id);
        Chunks chunks = new Chunks("chatcmpl-" + HexFormat.of().formatHex(id), Instant.now().getEpochSecond(),
                engine.info().modelName());
        AnswerListener listener = new AnswerListener(request, chunks, res);
        Reply reply = engine.complete(request.messages(), request.options(), listener);
        listener.attach(reply);
        Completion completion;
        try {
            completion = reply.await();
        } catch (InterruptedException e) {
            reply.cancel();
            Thread.currentThread().interrupt();
            return;
        }
        listener.respond(completion);
    }

    /**
     * @return the body as a JSON object
     * @throws ApiError 413 over the limit (told by {@code Content-Length} or found reading), 400 if not a JSON object
     */
    static JsonObject body(ServerRequest req, int maxBytes) {
        OptionalLong length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBytes) throw ApiError.tooLarge(maxBytes);
        byte[] bytes;
        try {
            bytes = req.content().inputStream().readNBytes(maxBytes + 1);
        } catch (IOException | UncheckedIOException e) {
            throw ApiError.invalid(null, "the request body could not be read");
        }
        if (bytes.length > maxBytes) throw ApiError.tooLarge(maxBytes);
        JsonValue value;
        try (JsonReader reader = Json.createReader(new ByteArrayInputStream(bytes))) {
            value = reader.readValue();
        } catch (JsonException | IllegalStateException e) {
            throw ApiError.invalid(null, "the body is not valid JSON");
        }
        if (!(value instanceof JsonObject object)) throw ApiError.invalid(null, "the body must be a JSON object");
        return object;
    }
}
