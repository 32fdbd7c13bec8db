package dev.chatserver.web;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.socket.SocketContext;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.websocket.WsCloseException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * An upgraded connection's context as Helidon's WebSocket connection sees it: everything is the HTTP connection's,
 * except that the bytes it reads have passed a {@link FrameScanner} first.
 *
 * <p>When the scanner stops at a frame that breaks the protocol, the bytes before it are still read and their
 * frames handled; the next read throws the scanner's {@link WsCloseException}, which Helidon answers as it does its
 * own frame errors: a close frame with the code and reason, and the end of the connection, without calling the
 * listener. The listener can ask {@link #protocolError} afterwards.
 *
 * <p>Threads: Helidon's connection thread reads; {@link #protocolError} may be called by any thread that has joined
 * the connection thread or runs on it.
 */
final class ScannedContext implements ConnectionContext {

    private final ConnectionContext http;
    private final DataReader source;
    private final FrameScanner scanner = new FrameScanner();
    private final DataReader scanned = DataReader.create(this::next);
    private volatile WsCloseException failure;

    ScannedContext(ConnectionContext http) {
        this.http = http;
        this.source = http.dataReader();
    }

    /**
     * @param context a WebSocket session's context
     * @return why the connection was closed with a protocol error, or empty when it was not (or is not scanned)
     */
    static Optional<String> protocolError(SocketContext context) {
        return context instanceof ScannedContext scannedContext
                ? Optional.ofNullable(scannedContext.failure).map(WsCloseException::getMessage)
                : Optional.empty();
    }

    /**
     * The scanned reader's supplier: what the HTTP connection's reader has buffered or reads next, up to a frame
     * that breaks the protocol. At the end of the stream the source's exception passes through unchanged.
     */
    private byte[] next() {
        if (failure != null) throw failure;
        source.ensureAvailable();
        byte[] bytes = source.readBytes(source.available());
        int passed = scanner.scan(bytes);
        if (passed == bytes.length) return bytes;
        failure = scanner.failure();
        if (passed == 0) throw failure;
        return Arrays.copyOf(bytes, passed);
    }

    @Override
    public DataReader dataReader() {
        return scanned;
    }

    @Override
    public ListenerContext listenerContext() {
        return http.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return http.executor();
    }

    @Override
    public DataWriter dataWriter() {
        return http.dataWriter();
    }

    @Override
    public Router router() {
        return http.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return http.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return http.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return http.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return http.localPeer();
    }

    @Override
    public boolean isSecure() {
        return http.isSecure();
    }

    @Override
    public String socketId() {
        return http.socketId();
    }

    @Override
    public String childSocketId() {
        return http.childSocketId();
    }
}
