/**
 * The browser chat: a Helidon 4 SE web server with the chat page ({@code GET /}), the model's settings
 * ({@code GET /api/info}), a WebSocket endpoint ({@code /} and {@code /ws}) whose text frames carry the TCP
 * protocol's JSON messages, and for operators {@code GET /health} and {@code GET /metrics}. Start one with
 * {@link dev.chatserver.web.WebChatServer#builder}.
 *
 * <p>Threads: Helidon serves every connection on its own virtual thread; for a WebSocket that thread calls
 * {@code onOpen}, each {@code onMessage} in order and {@code onClose}. Each WebSocket drives one
 * {@link dev.chatserver.protocol.Conversation}, whose threads write the answer frames ({@code WsSession.send} is
 * serialised by Helidon, so it is safe from any thread). A watcher virtual thread per WebSocket pings every minute
 * and frees the engine session when the connection thread ends, because Helidon does not call {@code onClose} when
 * a client just drops the TCP connection.
 *
 * <p>Limits: WebSocket connections served at once (default 10000, as the TCP server; one more gets the TCP server's
 * {@code too many connections} error end message, then close code 1013, and no engine session) and the size of one
 * incoming message (default 64 KiB; over it, close code 1009). A connection holds its slot from {@code onOpen} until
 * it ends on any path, the watcher's included.
 *
 * <p>Frames: the upgraded connection reads through a {@code FrameScanner}, installed by
 * {@code ScanningWsUpgrader} through an HTTP/1 connection selector of our own, because Helidon 4.5 decodes text frames
 * with replacement characters and answers an unknown opcode with an HTTP 500 in the upgraded stream. A frame that
 * breaks RFC 6455 section 5 closes the connection with 1002; text messages reach the socket as bytes and are decoded
 * strictly when whole, invalid UTF-8 getting the TCP protocol's error message and close code 1007.
 *
 * <p>Security: a routing filter runs before every handler and before the WebSocket protocol switch, and answers 403
 * to a {@code Host} that does not name this server (DNS rebinding) or an {@code Origin} that is neither this server
 * nor explicitly allowed. Requests without {@code Origin} (non-browser clients) pass, and {@code /health} is exempt
 * from the {@code Origin} check (load balancers); a proxy's name can be allowed as {@code Host}. The page is served
 * with a Content-Security-Policy that allows only its own scripts, styles and connections; it inserts model output
 * as text.
 */
package dev.chatserver.web;
