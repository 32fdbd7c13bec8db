package dev.chatserver.web;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.lang.System.Logger.Level;

/**
 * The HTTP filter in front of every route, WebSocket upgrades included (Helidon runs routing filters before it
 * switches protocols): refuses a foreign {@code Host} or {@code Origin} with 403 and adds the page's security headers.
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

    RequestGuard(AccessPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String host = req.headers().first(HeaderNames.HOST).orElse(null);
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (!policy.hostAllowed(host)) {
            refuse(res, "host not allowed", host, req);
            return;
        }
        if (!policy.originAllowed(origin)) {
            refuse(res, "origin not allowed", origin, req);
            return;
        }
        res.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        chain.proceed();
    }

    private static void refuse(RoutingResponse res, String reason, String value, RoutingRequest req) {
        LOG.log(Level.DEBUG, () -> "refused " + req.prologue().method().text() + " " + req.path().rawPath()
                + " from " + req.remotePeer().address() + ": " + reason + " (" + value + ")");
        res.status(Status.FORBIDDEN_403);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("forbidden: " + reason + "\n");
    }
}
