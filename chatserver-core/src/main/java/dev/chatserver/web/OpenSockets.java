package dev.chatserver.web;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The WebSockets of one server that are open, so that closing the server can end their answers first, and the
 * connection slots that bound how many there are.
 *
 * <p>Sockets add and remove themselves from their connection threads (and their watcher threads);
 * {@link #shutDownAll()} runs on the thread closing the server. After it, no socket can be added.
 */
final class OpenSockets {

    /** What {@link #add} decided about a socket that just opened. */
    enum Admission {
        /** The socket holds a slot until {@link #remove} */
        ADMITTED,
        /** Every slot is taken: the socket must be refused */
        FULL,
        /** The server is closing: the socket must close at once */
        SHUTTING_DOWN
    }

    private final Set<ChatSocket> sockets = ConcurrentHashMap.newKeySet();
    /** One permit per WebSocket that may be served; a socket in {@link #sockets} holds exactly one. */
    private final Semaphore slots;
    private volatile boolean shuttingDown;

    /** @param maxConnections WebSockets served at once, positive */
    OpenSockets(int maxConnections) {
        this.slots = new Semaphore(maxConnections);
    }

    /**
     * Takes a slot for a socket that just opened.
     *
     * @param socket the socket
     * @return {@link Admission#ADMITTED} when the socket holds a slot now, else why not
     */
    Admission add(ChatSocket socket) {
        if (shuttingDown) return Admission.SHUTTING_DOWN;
        if (!slots.tryAcquire()) return Admission.FULL;
        sockets.add(socket);
        if (shuttingDown) {     // closing began after the first check and may have missed this socket
            remove(socket);
            return Admission.SHUTTING_DOWN;
        }
        return Admission.ADMITTED;
    }

    /**
     * Gives back the socket's slot. The one place a slot is released: only the call that takes the socket out of
     * the set does it, so a socket that ends on several paths (close frame, error, watcher, shutdown) or was never
     * admitted cannot release twice.
     *
     * @param socket a socket that ended
     */
    void remove(ChatSocket socket) {
        if (sockets.remove(socket)) slots.release();
    }

    /** @return WebSockets holding a slot now (read by metrics scrapes, any thread) */
    int size() {
        return sockets.size();
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
