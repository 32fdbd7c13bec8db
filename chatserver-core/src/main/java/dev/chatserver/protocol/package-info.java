/**
 * The SocketLab wire protocol, shared by the TCP server, the WebSocket server and the CLI client.
 *
 * <p>Every message is one JSON object in UTF-8. Client to server: {@code {"token": "<prompt>", "eog": true}}
 * ({@code "eog": false} starts a longer prompt whose parts are joined until {@code "eog": true}) and
 * {@code {"cancel": true}}. Server to client: {@code {"token": "<piece>", "eog": false}} per piece of the answer,
 * then {@code {"token": "", "eog": true}}, with {@code "error": "<reason>"} when the request failed. Unknown fields
 * are ignored.
 *
 * <p>{@link dev.chatserver.protocol.ClientMessage} and {@link dev.chatserver.protocol.ServerMessage} are the
 * messages, {@link dev.chatserver.protocol.MessageCodec} encodes and decodes them,
 * {@link dev.chatserver.protocol.JsonObjectStream} splits a byte stream with any framing into objects, and
 * {@link dev.chatserver.protocol.Conversation} is the per-connection logic every transport drives.
 */
package dev.chatserver.protocol;
