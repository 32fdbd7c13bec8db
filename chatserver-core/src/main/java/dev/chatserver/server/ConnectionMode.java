package dev.chatserver.server;

/** How a {@link ChatServer} maps connections to threads. All modes speak the same protocol and pass the same tests. */
public enum ConnectionMode {
    /** One virtual thread per connection, blocking I/O (the default): thousands of idle connections cost little. */
    VIRTUAL,
    /** One platform thread per connection, blocking I/O (the SocketLab's thread-per-connection server). */
    PLATFORM,
    /**
     * One {@link java.nio.channels.Selector} thread for all connections, non-blocking I/O (the SocketLab's epoll
     * server).
     */
    SELECTOR
}
