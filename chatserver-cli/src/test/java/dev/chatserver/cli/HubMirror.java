package dev.chatserver.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for a model hub on 127.0.0.1 (ephemeral port), shaped like Hugging Face: a {@code resolve} URL answers
 * 302 with the file's SHA-256 in {@code X-Linked-Etag} and sends the client to a CDN path that serves the bytes,
 * honouring {@code Range: bytes=N-}. Unknown paths answer 404. Handlers run on virtual threads; the maps are safe
 * to change from the test thread.
 */
final class HubMirror implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private record File(byte[] content, String sha256) {
    }

    /** One request as the mirror saw it. @param path the path @param range the Range header, or null */
    record Request(String path, String range) {
    }

    private final HttpServer server;
    private final Map<String, File> files = new ConcurrentHashMap<>();
    /** Paths that announce a length in bytes and send none of it. */
    private final Map<String, Long> announced = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private HubMirror(HttpServer server) {
        this.server = server;
    }

    static HubMirror start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HubMirror mirror = new HubMirror(http);
        http.createContext("/", exchange -> {
            try {
                mirror.handle(exchange);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        });
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        return mirror;
    }

    private void handle(HttpExchange exchange) throws IOException, InterruptedException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String range = exchange.getRequestHeaders().getFirst("Range");
            requests.add(new Request(path, range));
            File resolved = files.get(path);
            File cdn = path.startsWith("/cdn") ? files.get(path.substring(4)) : null;
            Long length = announced.get(path);
            if (resolved != null) {
                exchange.getResponseHeaders().set("Location", "/cdn" + path);
                exchange.getResponseHeaders().set("X-Linked-Etag", "\"" + resolved.sha256() + "\"");
                exchange.sendResponseHeaders(302, -1);
            } else if (cdn != null) {
                long start = rangeStart(range);
                if (start >= cdn.content().length) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + cdn.content().length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                int from = (int) start;
                if (from > 0) {
                    exchange.getResponseHeaders().set("Content-Range",
                            "bytes " + from + "-" + (cdn.content().length - 1) + "/" + cdn.content().length);
                }
                exchange.sendResponseHeaders(from > 0 ? 206 : 200, cdn.content().length - from);
                exchange.getResponseBody().write(cdn.content(), from, cdn.content().length - from);
            } else if (length != null) {
                exchange.sendResponseHeaders(200, length);
                exchange.getResponseBody().flush();
                // Keep the connection open like a server about to send: dropping it at once may fail the client's
                // request before it has seen the headers.
                closed.await();
                throw new IOException("the mirror announced " + length + " bytes and sent none");
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private static long rangeStart(String range) {
        Matcher matcher = range == null ? null : RANGE.matcher(range);
        return matcher != null && matcher.matches() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /**
     * Publishes a file at {@code path} (a resolve URL that redirects), announcing {@code sha256}, which may be
     * deliberately wrong.
     */
    HubMirror publish(String path, byte[] content, String sha256) {
        files.put(path, new File(content, sha256));
        return this;
    }

    /**
     * Answers {@code path} with 200 and a {@code Content-Length} of {@code length} bytes, then sends nothing until the
     * mirror closes.
     */
    HubMirror announce(String path, long length) {
        announced.put(path, length);
        return this;
    }

    /** @return every request so far, in order */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** @return the mirror's address, for {@code HF_ENDPOINT} */
    URI address() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** @return the URL of {@code path} */
    URI url(String path) {
        return URI.create(address() + path);
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
