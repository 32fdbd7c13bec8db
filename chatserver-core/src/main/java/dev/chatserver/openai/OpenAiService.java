package dev.chatserver.openai;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.EngineInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The OpenAI-compatible API, to register under {@code /v1} of a Helidon routing: {@code POST /chat/completions}
 * (JSON or server-sent events), {@code GET /models} and {@code GET /models/{id}}; anything else is 404. Errors are
 * OpenAI's error object with the matching status. With an API key, every request but a CORS preflight needs
 * {@code Authorization: Bearer <key>}. A request with an {@code Origin} gets CORS headers for it: the web server's
 * filter in front has already refused every origin that is not allowed.
 *
 * <p>Handlers run on the requests' virtual threads; the service itself is immutable.
 */
public final class OpenAiService implements HttpService {

    private static final System.Logger LOG = System.getLogger(OpenAiService.class.getName());

    private final ChatEngine engine;
    private final Optional<ApiKey> key;
    private final CompletionsHandler completions;
    private final long created = Instant.now().getEpochSecond();

    private OpenAiService(ChatEngine engine, int maxBodyBytes, Optional<ApiKey> key) {
        this.engine = engine;
        this.key = key;
        this.completions = new CompletionsHandler(engine, maxBodyBytes);
    }

    /**
     * @param engine       the engine that answers
     * @param maxBodyBytes the largest request body, in bytes; a larger one gets 413
     * @param key          the key every request must carry, or empty for none
     * @return the service
     */
    public static OpenAiService create(ChatEngine engine, int maxBodyBytes, Optional<ApiKey> key) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(key, "key");
        if (maxBodyBytes <= 0) throw new IllegalArgumentException("max body bytes must be positive: " + maxBodyBytes);
        return new OpenAiService(engine, maxBodyBytes, key);
    }

    /** @param rules the rules of the {@code /v1} prefix this service is registered at */
    @Override
    public void routing(HttpRules rules) {
        rules.any(this::gate)
                .post("/chat/completions", guarded(completions))
                .get("/models", guarded((req, res) -> json(res, models())))
                .get("/models/{id}", guarded(this::model))
                .any(guarded((req, res) -> {
                    throw ApiError.notFound("unknown_url", "unknown path: " + req.prologue().method().text() + " "
                            + req.path().rawPath());
                }));
    }

    /** CORS headers, the preflight, and the key; then the route. */
    private void gate(ServerRequest req, ServerResponse res) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        origin.ifPresent(o -> {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, o);
            res.header(HeaderNames.VARY, "Origin");
        });
        if (req.prologue().method() == Method.OPTIONS && origin.isPresent()) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type");
            res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        if (key.isPresent() && !key.get().accepts(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null))) {
            LOG.log(Level.DEBUG, () -> "refused " + req.path().rawPath() + " from " + req.remotePeer().address()
                    + ": no valid API key");
            ApiError.unauthorized().send(res);
            return;
        }
        res.next();
    }

    /**
     * Answers a request without a valid key as this API does: 401 with OpenAI's error object.
     *
     * @param res the response to send
     */
    public static void refuseUnauthorized(ServerResponse res) {
        ApiError.unauthorized().send(res);
    }

    /** Sends an {@link ApiError} thrown by the handler as the response. */
    private static Handler guarded(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (ApiError e) {
                if (!res.isSent()) e.send(res);
            }
        };
    }

    private void model(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!id.equals(engine.info().modelName())) {
            throw ApiError.notFound("model_not_found", "this server serves only the model "
                    + engine.info().modelName() + ", not " + id);
        }
        json(res, model(engine.info()).build().toString());
    }

    private String models() {
        return Json.createObjectBuilder().add("object", "list")
                .add("data", Json.createArrayBuilder().add(model(engine.info()))).build().toString();
    }

    private JsonObjectBuilder model(EngineInfo info) {
        return Json.createObjectBuilder().add("id", info.modelName()).add("object", "model").add("created", created)
                .add("owned_by", "chatserver").add("context_length", info.contextPerSession())
                .add("max_tokens", info.maxTokens());
    }

    private static void json(ServerResponse res, String json) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(json);
    }
}
