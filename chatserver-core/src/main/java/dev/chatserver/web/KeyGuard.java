package dev.chatserver.web;

import dev.chatserver.openai.ApiKey;
import dev.chatserver.openai.OpenAiService;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.lang.System.Logger.Level;

/**
 * The HTTP filter, installed only when the server has an API key, that makes the page, {@code /api/info} and the
 * WebSocket upgrade require it too: as {@code Authorization: Bearer <key>} or as the password of HTTP Basic
 * credentials (any user name), which a browser asks for once after the 401 and then sends on every request to this
 * server. Under {@code /v1} the refusal is in OpenAI's error format, and CORS preflights pass (they carry no key).
 * The health path passes too: a load balancer's checks carry no key, and it tells only whether the server serves.
 *
 * <p>Runs on the connection's virtual thread; immutable.
 */
final class KeyGuard implements Filter {

    private static final System.Logger LOG = System.getLogger(KeyGuard.class.getName());

    private final ApiKey key;
    private final String openPath;

    /**
     * @param key      the key
     * @param openPath a path served without the key (the health check)
     */
    KeyGuard(ApiKey key, String openPath) {
        this.key = key;
        this.openPath = openPath;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().rawPath();
        boolean api = path.equals("/v1") || path.startsWith("/v1/");
        // A CORS preflight carries no credentials; the API answers it, with no data.
        if (key.accepts(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null))
                || api && req.prologue().method() == Method.OPTIONS || req.path().path().equals(openPath)) {
            chain.proceed();
            return;
        }
        LOG.log(Level.DEBUG, () -> "refused " + path + " from " + req.remotePeer().address() + ": no valid key");
        if (api) {
            OpenAiService.refuseUnauthorized(res);
            return;
        }
        res.status(Status.UNAUTHORIZED_401);
        res.header(HeaderNames.WWW_AUTHENTICATE, "Basic realm=\"chatserver\", charset=\"UTF-8\"");
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("unauthorized: this server needs its key (as the password)\n");
    }
}
