package dev.chatserver.web;

import dev.chatserver.metrics.ChatMetrics;
import dev.chatserver.metrics.Rejection;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.lang.System.Logger.Level;

/**
 * The HTTP filter in front of every route, WebSocket upgrades included (Helidon runs routing filters before it
 * switches protocols): refuses a foreign {@code Host} or {@code Origin} with 403 (counted as
 * {@link Rejection#FORBIDDEN}) and adds the page's security headers. The health check is exempt from the
 * {@code Origin} check: load balancers send none, and its answer reveals nothing a page could use; its {@code Host}
 * is checked like any other (allow the name a load balancer sends with {@code allowHost}).
 *
 * <p>Runs on the connection's virtual thread; stateless apart from the immutable policy.
 */
final class RequestGuard implements Filter {

    private static final System.Logger LOG = System.getLogger(RequestGuard.class.getName());

    /**
     * Scripts, styles and connections only from this server; no framing, no plugins, no inline code. {@code 'self'}
     * in {@code connect-src} covers the same host's {@code ws:} URLs.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final AccessPolicy policy;
    private final ChatMetrics metrics;

    RequestGuard(AccessPolicy policy, ChatMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String host = req.headers().first(HeaderNames.HOST).orElse(null);
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (!policy.hostAllowed(host)) {
            refuse(res, "host not allowed", host, req);
            return;
        }
        boolean health = req.path().path().equals(HelidonWebChatServer.HEALTH_PATH);
        if (!health && !policy.originAllowed(origin)) {
            refuse(res, "origin not allowed", origin, req);
            return;
        }
        res.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        chain.proceed();
    }

    private void refuse(RoutingResponse res, String reason, String value, RoutingRequest req) {
        metrics.rejected(Rejection.FORBIDDEN);
        LOG.log(Level.DEBUG, () -> "refused " + req.prologue().method().text() + " " + req.path().rawPath()
                + " from " + req.remotePeer().address() + ": " + reason + " (" + value + ")");
        res.status(Status.FORBIDDEN_403);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("forbidden: " + reason + "\n");
    }
}
