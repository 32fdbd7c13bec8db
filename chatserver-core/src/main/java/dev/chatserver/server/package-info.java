/**
 * The TCP chat server: {@link dev.chatserver.server.ChatServer} serves a
 * {@link dev.chatserver.engine.ChatEngine} to SocketLab clients, one conversation per connection, with one virtual
 * thread per connection, one platform thread per connection, or one selector thread for all
 * ({@link dev.chatserver.server.ConnectionMode}), within {@link dev.chatserver.server.ServerLimits}.
 */
package dev.chatserver.server;
