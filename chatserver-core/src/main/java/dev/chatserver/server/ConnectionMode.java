package dev.chatserver.server;

/** How a {@link ChatServer} maps connections to threads. All modes speak the same protocol and pass the same tests. */
public enum ConnectionMode {
    /** One virtual thread per connection, blocking I/O (the default): thousands of idle connections cost little. */
    VIRTUAL,
    /**
     * One platform thread per connection, blocking I/O (the SocketLab's thread-per-connection server). Each costs a
     * kernel thread, and the JVM's work to start or end one grows with the number of live threads: thousands of
     * connections that close together leave their kernel threads being torn down for seconds (4 to 10 s for 10,000
     * on 2 cores), though the server ends them at once.
     */
    PLATFORM,
    /**
     * One {@link java.nio.channels.Selector} thread for all connections, non-blocking I/O (the SocketLab's epoll
     * server).
     */
    SELECTOR
}
