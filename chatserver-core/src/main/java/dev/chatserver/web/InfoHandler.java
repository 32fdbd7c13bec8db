package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.EngineInfo;
import dev.chatserver.protocol.ConversationLimits;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;

/**
 * {@code GET /api/info}: what the engine serves, as one JSON object
 * {@code {"modelName", "architecture", "parameters", "contextPerSession", "parallelSequences", "maxTokens",
 * "maxMessageBytes", "maxPromptChars"}} (the last two: the limits the page checks before it sends).
 *
 * <p>Runs on the request's virtual thread; {@link ChatEngine#info()} is safe from any thread.
 */
final class InfoHandler implements Handler {

    private final ChatEngine engine;
    private final int maxMessageBytes;

    InfoHandler(ChatEngine engine, int maxMessageBytes) {
        this.engine = engine;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * @param info the engine's description
     * @return the JSON text
     */
    static String json(EngineInfo info, int maxMessageBytes) {
        return Json.createObjectBuilder()
                .add("modelName", info.modelName())
                .add("architecture", info.architecture())
                .add("parameters", info.parameters())
                .add("contextPerSession", info.contextPerSession())
                .add("parallelSequences", info.parallel())
                .add("maxTokens", info.maxTokens())
                .add("maxMessageBytes", maxMessageBytes)
                .add("maxPromptChars", ConversationLimits.DEFAULTS.maxPromptChars())
                .build()
                .toString();
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(json(engine.info(), maxMessageBytes));
    }
}
