package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.EngineStats;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health}, for load balancers: {@code 200 {"status":"ok","model":...,"activeReplies":...,
 * "queuedReplies":...,"sessions":...}} while the engine runs; {@code 503 {"status":"unavailable","reason":...}}
 * once it was closed or failed, and from the moment the web server begins to shut down (so that a load balancer
 * takes it out while its answers end). Before the model is loaded the port does not listen yet, which health checks
 * count as down as well.
 *
 * <p>Runs on the request's virtual thread; reads only the engine's published snapshot.
 */
final class HealthHandler implements Handler {

    private final ChatEngine engine;
    private final BooleanSupplier shuttingDown;

    /**
     * @param engine       the engine served
     * @param shuttingDown true once the web server began to close
     */
    HealthHandler(ChatEngine engine, BooleanSupplier shuttingDown) {
        this.engine = engine;
        this.shuttingDown = shuttingDown;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        String unavailable = shuttingDown.getAsBoolean() ? "shutting down"
                : engine.isRunning() ? null : "the engine is not running";
        if (unavailable != null) {
            res.status(Status.SERVICE_UNAVAILABLE_503);
            res.send(Json.createObjectBuilder().add("status", "unavailable").add("reason", unavailable).build()
                    .toString());
            return;
        }
        EngineStats stats = engine.stats();
        res.send(Json.createObjectBuilder()
                .add("status", "ok")
                .add("model", engine.info().modelName())
                .add("activeReplies", stats.activeReplies())
                .add("queuedReplies", stats.queuedReplies())
                .add("sessions", stats.openSessions())
                .build()
                .toString());
    }
}
