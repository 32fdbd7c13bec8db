package dev.chatserver.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A stand-in for a model hub on 127.0.0.1 (ephemeral port), shaped like Hugging Face: a {@code resolve} URL answers
 * 302 with the file's SHA-256 in {@code X-Linked-Etag} and sends the client to a CDN path that serves the bytes.
 * Unknown paths answer 404. Handlers run on virtual threads.
 */
final class HubMirror implements AutoCloseable {

    private record File(byte[] content, String sha256) {
    }

    private final HttpServer server;
    private final Map<String, File> files = new ConcurrentHashMap<>();

    private HubMirror(HttpServer server) {
        this.server = server;
    }

    static HubMirror start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HubMirror mirror = new HubMirror(http);
        http.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                File resolved = mirror.files.get(path);
                File cdn = path.startsWith("/cdn") ? mirror.files.get(path.substring(4)) : null;
                if (resolved != null) {
                    exchange.getResponseHeaders().set("Location", "/cdn" + path);
                    exchange.getResponseHeaders().set("X-Linked-Etag", "\"" + resolved.sha256() + "\"");
                    exchange.sendResponseHeaders(302, -1);
                } else if (cdn != null) {
                    exchange.sendResponseHeaders(200, cdn.content().length);
                    exchange.getResponseBody().write(cdn.content());
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        return mirror;
    }

    /**
     * Publishes a file at {@code path} (a resolve URL that redirects), announcing {@code sha256}, which may be
     * deliberately wrong.
     */
    HubMirror publish(String path, byte[] content, String sha256) {
        files.put(path, new File(content, sha256));
        return this;
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
        server.stop(0);
    }
}
