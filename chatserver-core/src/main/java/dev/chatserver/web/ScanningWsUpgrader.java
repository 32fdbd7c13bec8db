package dev.chatserver.web;

import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrade;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;
import java.util.Optional;

/**
 * Helidon's WebSocket upgrade, with the upgraded connection reading through a {@link FrameScanner}
 * ({@link ScannedContext}).
 *
 * <p>Why here: Helidon 4.5 gives a WebSocket listener decoded frames only. It decodes text frames with replacement
 * characters, one frame at a time, and on an unknown opcode it throws from its frame reader, which the HTTP/1
 * connection around it answers with an HTTP 500 written into the upgraded stream (with a warning and a stack trace
 * in the log). Its connection class cannot be extended, and no extension point sees frames. What can be replaced is
 * the context the connection reads from, and this upgrader is where Helidon creates the connection with it; the
 * rest (handshake, {@code Origin} check, routing filters before the switch, the frame loop, sending, closing) stays
 * Helidon's.
 *
 * <p>The routed variant keeps the HTTP routing's filters in front of the protocol switch (the Host and Origin
 * guard); it is Helidon's internal SPI, so a Helidon upgrade that changes it fails the build here rather than
 * silently dropping the guard, and a Helidon whose upgrader is no longer routed fails at server start.
 *
 * <p>Threads: created on the thread starting the server; then called on each connection's thread.
 */
final class ScanningWsUpgrader implements Http1RoutedUpgrader {

    private final Http1RoutedUpgrader helidon;

    /**
     * @param config the WebSocket settings (origins, frame limit)
     * @throws IllegalStateException when Helidon's upgrader would not run the routing filters first
     */
    ScanningWsUpgrader(WsConfig config) {
        WsUpgrader upgrader = WsUpgrader.create(config);
        if (!(upgrader instanceof Http1RoutedUpgrader routed)) {
            throw new IllegalStateException("Helidon's WebSocket upgrade no longer runs the routing filters first");
        }
        this.helidon = routed;
    }

    @Override
    public String supportedProtocol() {
        return helidon.supportedProtocol();
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        return helidon.upgrade(new ScannedContext(ctx), prologue, headers);
    }

    @Override
    public Optional<Http1RoutedUpgrade> routedUpgrade(ConnectionContext ctx, HttpPrologue prologue,
                                                     WritableHeaders<?> headers) {
        return helidon.routedUpgrade(new ScannedContext(ctx), prologue, headers);
    }
}
