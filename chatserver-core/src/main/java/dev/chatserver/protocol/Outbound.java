package dev.chatserver.protocol;

/**
 * Where a {@link Conversation} writes its messages: a socket, a WebSocket, a test's list.
 *
 * <p>Called by the conversation's own threads (its answer thread and the engine's delivery thread of the reply),
 * one call at a time and in order. It may block while the client is slow to read (that pauses only this
 * conversation's reply). It must not throw: a transport that cannot write closes its connection, which closes the
 * conversation.
 */
@FunctionalInterface
public interface Outbound {

    /**
     * Sends one message to the client.
     *
     * @param message the message
     */
    void send(ServerMessage message);
}
