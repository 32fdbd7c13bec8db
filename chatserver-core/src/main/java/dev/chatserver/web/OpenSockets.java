package dev.chatserver.web;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSockets of one server that are open, so that closing the server can end their answers first.
 *
 * <p>Sockets add and remove themselves from their connection threads; {@link #shutDownAll()} runs on the thread
 * closing the server. After it, no socket can be added.
 */
final class OpenSockets {

    private final Set<ChatSocket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    /**
     * @param socket a socket that just opened
     * @return false when the server is shutting down (the socket must then close at once)
     */
    boolean add(ChatSocket socket) {
        sockets.add(socket);
        if (shuttingDown) {
            sockets.remove(socket);
            return false;
        }
        return true;
    }

    /** @param socket a socket that closed */
    void remove(ChatSocket socket) {
        sockets.remove(socket);
    }

    /**
     * Refuses new sockets, ends every answer in progress with {@code server shutting down} (all at once), then waits
     * for each socket's last message and closes it.
     */
    void shutDownAll() {
        shuttingDown = true;
        List<ChatSocket> open = List.copyOf(sockets);
        for (ChatSocket socket : open) socket.stopAnswers();
        for (ChatSocket socket : open) socket.awaitAndClose();
    }
}
