package dev.chatserver.web;

import dev.chatserver.metrics.PrometheusMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /metrics}: the engine's metrics in the Prometheus text exposition format.
 *
 * <p>Runs on the request's virtual thread, which also reads every sampled gauge (never the engine thread).
 */
final class MetricsHandler implements Handler {

    private final PrometheusMetrics metrics;

    MetricsHandler(PrometheusMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, PrometheusMetrics.CONTENT_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(metrics.scrape());
    }
}
