package dev.chatserver.models;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTP file server on 127.0.0.1 (ephemeral port) for download tests: serves byte arrays with
 * {@code Range} support, redirects, and faults (dropping the connection mid-file, ignoring ranges, announcing a
 * length without sending it).
 * Handlers run on virtual threads; the configuration maps are safe to change from the test thread.
 */
public final class FileServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    /** One request as the server saw it. @param path the path @param range the Range header, or null */
    public record Request(String path, String range) {
    }

    /** How a path is served. */
    private record Served(byte[] content, String etag, boolean ignoreRange, AtomicInteger cutsLeft, long cutAfter,
                          boolean stall) {
    }

    /** A redirect. */
    private record Redirect(int status, String location, String linkedEtag) {
    }

    private final HttpServer server;
    private final Map<String, Served> files = new ConcurrentHashMap<>();
    private final Map<String, Redirect> redirects = new ConcurrentHashMap<>();
    /** Paths that announce a length in bytes but send no byte of it. */
    private final Map<String, Long> announced = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private FileServer(HttpServer server) {
        this.server = server;
    }

    /** @return a started server */
    public static FileServer start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        FileServer files = new FileServer(http);
        http.createContext("/", exchange -> {
            try {
                files.handle(exchange);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        });
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        return files;
    }

    /** Serves {@code content} at {@code path}. */
    public FileServer serve(String path, byte[] content) {
        return serve(path, content, null, false, 0, 0);
    }

    /**
     * Serves {@code content} at {@code path}.
     *
     * @param etag        an ETag header value to send, or null
     * @param ignoreRange answer 200 with the whole file even to a Range request
     * @param cuts        how many of the first responses drop the connection
     * @param cutAfter    bytes each of those responses sends before dropping the connection
     */
    public FileServer serve(String path, byte[] content, String etag, boolean ignoreRange, int cuts, long cutAfter) {
        files.put(path, new Served(content, etag, ignoreRange, new AtomicInteger(cuts), cutAfter, false));
        return this;
    }

    /** Serves {@code content} at {@code path}, but the first response stops sending after {@code bytes} bytes. */
    public FileServer stallAfter(String path, byte[] content, long bytes) {
        files.put(path, new Served(content, null, false, new AtomicInteger(1), bytes, true));
        return this;
    }

    /**
     * Answers {@code path} with headers announcing a file of {@code length} bytes (200 with that
     * {@code Content-Length}, or 206 with a matching {@code Content-Range} to a range request) and then sends
     * nothing until the server closes: a file larger than any disk, for free.
     */
    public FileServer announce(String path, long length) {
        announced.put(path, length);
        return this;
    }

    /** Answers {@code path} with a redirect to {@code location}, announcing {@code linkedEtag} (null: none). */
    public FileServer redirect(String path, int status, String location, String linkedEtag) {
        redirects.put(path, new Redirect(status, location, linkedEtag));
        return this;
    }

    /** @return the URL of {@code path} on this server */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** @return every request so far, in order */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException, InterruptedException {
        String path = exchange.getRequestURI().getPath();
        String range = exchange.getRequestHeaders().getFirst("Range");
        requests.add(new Request(path, range));
        try (exchange) {
            Redirect redirect = redirects.get(path);
            Served served = files.get(path);
            Long announcedLength = announced.get(path);
            if (announcedLength != null) {
                announceOnly(exchange, announcedLength, range);
            } else if (redirect != null) {
                exchange.getResponseHeaders().set("Location", redirect.location());
                if (redirect.linkedEtag() != null) {
                    exchange.getResponseHeaders().set("X-Linked-Etag", redirect.linkedEtag());
                }
                exchange.sendResponseHeaders(redirect.status(), -1);
            } else if (served == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                sendFile(exchange, served, range);
            }
        }
    }

    private void announceOnly(HttpExchange exchange, long length, String range)
            throws IOException, InterruptedException {
        Matcher matcher = range == null ? null : RANGE.matcher(range);
        long start = matcher != null && matcher.matches() ? Long.parseLong(matcher.group(1)) : 0;
        if (start > 0) {
            exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (length - 1) + "/" + length);
        }
        exchange.sendResponseHeaders(start > 0 ? 206 : 200, length - start);
        exchange.getResponseBody().flush();
        // Keep the connection open like a server about to send: dropping it at once may fail the client's request
        // before it has seen the headers.
        closed.await();
        throw new IOException("the test server announced " + length + " bytes and sent none");
    }

    private void sendFile(HttpExchange exchange, Served served, String range) throws IOException, InterruptedException {
        long length = served.content().length;
        long start = 0;
        int status = 200;
        Matcher matcher = range == null ? null : RANGE.matcher(range);
        if (matcher != null && matcher.matches() && !served.ignoreRange()) {
            start = Long.parseLong(matcher.group(1));
            if (start >= length) {
                exchange.getResponseHeaders().set("Content-Range", "bytes */" + length);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            status = 206;
            exchange.getResponseHeaders().set("Content-Range",
                    "bytes " + start + "-" + (length - 1) + "/" + length);
        }
        if (served.etag() != null) exchange.getResponseHeaders().set("ETag", served.etag());
        exchange.sendResponseHeaders(status, length - start);
        long end = length;
        boolean cut = served.cutsLeft().getAndDecrement() > 0;
        if (cut) end = Math.min(length, start + served.cutAfter());
        OutputStream body = exchange.getResponseBody();
        for (long at = start; at < end; ) {
            int chunk = (int) Math.min(8192, end - at);
            body.write(served.content(), (int) at, chunk);
            at += chunk;
        }
        body.flush();
        if (cut && served.stall()) {
            closed.await(); // a server that stops sending but keeps the connection open
        }
        if (cut) {
            // Leaving the handler with an exception while a fixed-length body is incomplete makes the server
            // close the connection: the client sees it cut mid-file.
            throw new IOException("connection cut by the test server");
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
