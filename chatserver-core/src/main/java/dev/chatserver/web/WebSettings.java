package dev.chatserver.web;

import java.net.URI;
import java.util.List;

/**
 * What a {@link WebChatServer.Builder} configured, handed to the server that starts. Immutable.
 *
 * @param host            the address to bind
 * @param port            the port to bind; 0 until an ephemeral one is chosen
 * @param allowedOrigins  origins allowed besides the server's own
 * @param maxMessageBytes the largest incoming WebSocket message, in bytes of UTF-8
 * @param maxConnections  WebSocket connections served at once
 * @param allowedHosts    {@code Host} names allowed besides the server's own (a proxy's), each with an optional port
 */
record WebSettings(String host, int port, List<URI> allowedOrigins, int maxMessageBytes, int maxConnections,
                   List<String> allowedHosts) {

    /** Copies the lists. */
    WebSettings {
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedHosts = List.copyOf(allowedHosts);
    }

    /**
     * @param port the port to bind
     * @return these settings with that port
     */
    WebSettings withPort(int port) {
        return new WebSettings(host, port, allowedOrigins, maxMessageBytes, maxConnections, allowedHosts);
    }
}
