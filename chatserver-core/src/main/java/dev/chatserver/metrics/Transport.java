package dev.chatserver.metrics;

import java.util.Locale;

/** What carries a connection; the {@code transport} label of {@code chatserver_connections}. */
public enum Transport {
    /** The SocketLab protocol on the TCP port. */
    TCP,
    /** The same protocol in WebSocket text frames on the web port. */
    WEBSOCKET,
    /** Plain HTTP requests on the web port, such as an HTTP API's. */
    HTTP;

    /** @return the label value: the name in lower case */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
