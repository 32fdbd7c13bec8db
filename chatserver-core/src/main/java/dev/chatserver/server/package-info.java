/**
 * The TCP chat server: {@link dev.chatserver.server.ChatServer} serves a
 * {@link dev.chatserver.engine.ChatEngine} to SocketLab clients, one conversation per connection, with one virtual
 * thread per connection, one platform thread per connection, or one selector thread for all
 * ({@link dev.chatserver.server.ConnectionMode}), within {@link dev.chatserver.server.ServerLimits}.
 *
 * <p>A connection's threads end as soon as its client has gone, in every mode. Platform threads then take the JVM a
 * while to tear down, in proportion to the square of how many end together: thousands closing at once keep about one
 * core busy for seconds ({@code BlockingChatServer} gives the cause and the numbers).
 */
package dev.chatserver.server;
