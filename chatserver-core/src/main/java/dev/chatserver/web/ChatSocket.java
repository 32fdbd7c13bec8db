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
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One WebSocket connection: a {@link Conversation} (one engine session) fed with the connection's text messages.
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

    private final ChatEngine engine;
    private final OpenSockets sockets;
    private final int maxMessageBytes;

    /** Text of a message that arrives in several frames; connection thread only. */
    private final StringBuilder fragments = new StringBuilder();
    /** UTF-8 bytes in {@link #fragments}; connection thread only. */
    private long fragmentBytes;
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

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        Conversation c = conversation;
        if (c == null) return;
        fragmentBytes += utf8Length(text);
        if (fragmentBytes > maxMessageBytes) {
            fatal(c, new ProtocolException(ProtocolException.Kind.TOO_LARGE,
                    "message too large: the limit is " + maxMessageBytes + " bytes"));
            return;
        }
        fragments.append(text);
        if (!last) return;
        String json = fragments.toString();
        fragments.setLength(0);
        fragmentBytes = 0;
        try {
            c.receiveJson(json);
        } catch (ProtocolException e) {
            fatal(c, e);
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        Conversation c = conversation;
        if (c == null || !last) return;
        try {
            c.reject(new ProtocolException(ProtocolException.Kind.BAD_MESSAGE,
                    "bad message: send JSON in text frames, not binary ones"));
        } catch (ProtocolException e) {
            fatal(c, e);
        }
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
        fragments.setLength(0);
        fragmentBytes = 0;
        c.close();
        deliver(ServerMessage.End.error(problem.getMessage()));
        boolean tooLarge = problem.kind() == ProtocolException.Kind.TOO_LARGE;
        ws.close(tooLarge ? WsCloseCodes.TOO_BIG : WsCloseCodes.VIOLATED_POLICY, problem.getMessage());
        release(problem.getMessage());
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
        release("client gone");
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

    /** UTF-8 length of a string without encoding it; unpaired surrogates count as the 3 bytes of U+FFFD. */
    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < 0x80) bytes += 1;
            else if (ch < 0x800) bytes += 2;
            else if (Character.isHighSurrogate(ch) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else bytes += 3;
        }
        return bytes;
    }
}
