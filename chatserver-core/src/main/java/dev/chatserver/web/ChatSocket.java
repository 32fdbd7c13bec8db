package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.metrics.Rejection;
import dev.chatserver.protocol.Conversation;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One WebSocket connection: a {@link Conversation} (one engine session) fed with the connection's text messages.
 *
 * <p>The connection reads through a {@link FrameScanner}, which swaps the text and binary opcodes: a text message
 * arrives here as bytes ({@code onMessage} with a {@link BufferData}), which are decoded strictly as UTF-8 once the
 * message is whole, and a binary message as text, which is refused unread. Frames that break the protocol never
 * arrive: Helidon closes with 1002 and this socket learns why when the connection thread ends.
 *
 * <p>Threads. Helidon runs each connection on its own virtual thread, which calls {@link #onOpen}, every
 * {@code onMessage} (frames in order, one at a time) and {@link #onClose}; the fragment buffer belongs to that
 * thread. The conversation's own threads call {@link #deliver}, which writes with {@link WsSession#send}: Helidon
 * serialises sends with a lock, so frames of different threads never interleave. When the client vanishes without a
 * close frame, Helidon ends the connection thread without calling {@code onClose}; a watcher virtual thread joins the
 * connection thread and closes the conversation then. {@link #stopAnswers} and {@link #awaitAndClose} run on the
 * thread closing the server.
 */
final class ChatSocket implements WsListener {

    private static final System.Logger LOG = System.getLogger(ChatSocket.class.getName());
    /** How long closing the server waits for an answer to send its shutdown message. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);
    /** Well below the web server's idle timeout of 5 minutes. */
    private static final Duration PING_INTERVAL = Duration.ofSeconds(60);
    /** A fragment buffer that grew beyond this is dropped after its message rather than emptied. */
    private static final int KEPT_FRAGMENT_BYTES = 8192;

    private final ChatEngine engine;
    private final OpenSockets sockets;
    private final int maxMessageBytes;

    /** Bytes of a message that arrives in several frames; connection thread only. */
    private ByteArrayOutputStream fragments = new ByteArrayOutputStream();
    /** Strict (the default action for malformed input is to report it); connection thread only. */
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    /** The message being received went over the limit: its remaining frames are dropped; connection thread only. */
    private boolean dropping;
    /** Set once on the connection thread in {@link #onOpen}; read by the others. */
    private volatile WsSession ws;
    private volatile Conversation conversation;
    /** Set by whichever thread frees the session first; later calls of {@link #release} only repeat harmless steps. */
    private final AtomicBoolean released = new AtomicBoolean();

    ChatSocket(ChatEngine engine, OpenSockets sockets, int maxMessageBytes) {
        this.engine = engine;
        this.sockets = sockets;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void onOpen(WsSession session) {
        ws = session;
        switch (sockets.add(this)) {
            case ADMITTED -> { }
            case FULL -> {
                engine.metrics().rejected(Rejection.TOO_MANY_CONNECTIONS);
                refuse(session);
                return;
            }
            case SHUTTING_DOWN -> {
                session.close(WsCloseCodes.GOING_AWAY, Conversation.SHUTTING_DOWN);
                return;
            }
        }
        try {
            conversation = Conversation.open(engine, this::deliver);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot open an engine session for a WebSocket", e);
            sockets.remove(this);
            session.close(WsCloseCodes.UNEXPECTED_CONDITION, "the engine is not available");
            return;
        }
        Thread connectionThread = Thread.currentThread();
        Thread.ofVirtual().name("ws-watch-" + conversation.sessionId()).start(() -> closeAfter(connectionThread));
        // INFO like the TCP server's connections: one line when a connection opens and one when it closes.
        LOG.log(Level.INFO, "WebSocket from {0} opened (session {1})", session.socketContext().remotePeer().address(),
                conversation.sessionId());
    }

    /**
     * Over the connection limit: the same error end message as the TCP server sends, then close 1013 (try again
     * later). No engine session was opened and no slot is held, so nothing needs freeing afterwards.
     */
    private static void refuse(WsSession session) {
        LOG.log(Level.INFO, "WebSocket from {0} refused: {1}", session.socketContext().remotePeer().address(),
                Conversation.TOO_MANY_CONNECTIONS);
        try {
            session.send(MessageCodec.encode(ServerMessage.End.error(Conversation.TOO_MANY_CONNECTIONS)), true);
            session.close(WsCloseCodes.TRY_AGAIN_LATER, Conversation.TOO_MANY_CONNECTIONS);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "refused WebSocket gone first: {0}", e.toString());
        }
    }

    /** A text message's frame, as bytes (see the class comment); the message is decoded when it is whole. */
    @Override
    public void onMessage(WsSession session, BufferData bytes, boolean last) {
        Conversation c = conversation;
        if (c == null) return;
        if (dropping) {
            dropping = !last;
            return;
        }
        if ((long) fragments.size() + bytes.available() > maxMessageBytes) {
            // Dropped and answered in order with the answers; the conversation goes on.
            forgetFragments();
            dropping = !last;
            try {
                c.reject(new ProtocolException(ProtocolException.Kind.TOO_LARGE,
                        "message too large: the limit is " + maxMessageBytes + " bytes"));
            } catch (ProtocolException e) {
                fatal(c, e);
            }
            return;
        }
        bytes.writeTo(fragments);
        if (!last) return;
        ByteBuffer message = ByteBuffer.wrap(fragments.toByteArray());
        forgetFragments();
        String json;
        try {
            json = utf8.decode(message).toString();
        } catch (CharacterCodingException e) {
            // RFC 6455 says fail the connection (1007), where TCP answers and goes on; the error text is TCP's.
            fatal(c, new ProtocolException(ProtocolException.Kind.INVALID_UTF8, "message is not valid UTF-8"));
            return;
        }
        try {
            c.receiveJson(json);
        } catch (ProtocolException e) {
            fatal(c, e);
        }
    }

    /** A binary message's frame, which Helidon decoded as text (see the class comment); refused at its end. */
    @Override
    public void onMessage(WsSession session, String ignored, boolean last) {
        Conversation c = conversation;
        if (c == null || !last) return;
        try {
            c.reject(new ProtocolException(ProtocolException.Kind.BAD_MESSAGE,
                    "bad message: send JSON in text frames, not binary ones"));
        } catch (ProtocolException e) {
            fatal(c, e);
        }
    }

    /** RFC 6455 requires the answer, and Helidon leaves it to the listener. */
    @Override
    public void onPing(WsSession session, BufferData payload) {
        session.pong(payload);
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        LOG.log(Level.DEBUG, "session {0}: WebSocket closed by the client ({1} {2})", sessionId(), status, reason);
        release("client closed");
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(Level.DEBUG, "session " + sessionId() + ": WebSocket failed", t);
        release("failed: " + t);
    }

    /** Input the connection does not survive: the error goes out after the conversation stopped, then a close. */
    private void fatal(Conversation c, ProtocolException problem) {
        LOG.log(Level.DEBUG, "session {0}: closing the WebSocket: {1}", c.sessionId(), problem.getMessage());
        forgetFragments();
        c.close();
        deliver(ServerMessage.End.error(problem.getMessage()));
        int code = switch (problem.kind()) {
            case TOO_LARGE -> WsCloseCodes.TOO_BIG;
            case INVALID_UTF8 -> WsCloseCodes.NOT_CONSISTENT;
            default -> WsCloseCodes.VIOLATED_POLICY;
        };
        ws.close(code, problem.getMessage());
        release(problem.getMessage());
    }

    /** Empties the fragment buffer, and lets a large one go rather than keep it for the connection's life. */
    private void forgetFragments() {
        if (fragments.size() > KEPT_FRAGMENT_BYTES) fragments = new ByteArrayOutputStream();
        else fragments.reset();
    }

    /** The conversation's outbound: one text frame per message. A failed write means the client is gone. */
    private void deliver(ServerMessage message) {
        try {
            ws.send(MessageCodec.encode(message), true);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "session {0}: client gone while sending: {1}", sessionId(), e.toString());
            Conversation c = conversation;
            if (c != null) c.close();
        }
    }

    /**
     * The watcher: pings the client every {@link #PING_INTERVAL} while the connection thread lives, and frees the
     * session when it ends, however it ended. The browser's automatic pong counts as traffic, so an open page is
     * not closed by the web server's idle timeout (5 minutes), and a peer that vanished fails the ping.
     */
    private void closeAfter(Thread connectionThread) {
        try {
            while (!connectionThread.join(PING_INTERVAL)) {
                try {
                    ws.ping(BufferData.empty());
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "session {0}: ping failed: {1}", sessionId(), e.toString());
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        release(ScannedContext.protocolError(ws.socketContext()).map(reason -> "protocol error: " + reason)
                .orElse("client gone"));
    }

    /** First step of closing the server: every answer in progress ends with {@code server shutting down}. */
    void stopAnswers() {
        Conversation c = conversation;
        if (c != null) c.shutdown();
    }

    /** Second step: waits until the shutdown messages went out, then closes the WebSocket. */
    void awaitAndClose() {
        Conversation c = conversation;
        if (c != null) {
            try {
                if (!c.awaitIdle(SHUTDOWN_WAIT)) {
                    LOG.log(Level.WARNING, "session {0}: answer did not end within {1}", c.sessionId(), SHUTDOWN_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        WsSession session = ws;
        if (session != null) {
            try {
                session.close(WsCloseCodes.GOING_AWAY, Conversation.SHUTTING_DOWN);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "session {0}: client gone at shutdown: {1}", sessionId(), e.toString());
            }
        }
        release("server shutting down");
    }

    /** Frees the connection's place and its engine session; the first call logs why. Any thread. */
    private void release(String reason) {
        sockets.remove(this);
        Conversation c = conversation;
        if (c == null) return;
        c.close();
        if (released.compareAndSet(false, true)) {
            LOG.log(Level.INFO, "WebSocket of session {0} closed: {1}", c.sessionId(), reason);
        }
    }

    private String sessionId() {
        Conversation c = conversation;
        return c == null ? "-" : c.sessionId();
    }
}
