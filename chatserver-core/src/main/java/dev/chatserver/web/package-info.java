/**
 * The browser chat: a Helidon web server with the chat page, {@code /api/info} and a WebSocket endpoint that speaks
 * the TCP protocol's JSON messages. Start one with {@link dev.chatserver.web.WebChatServer#builder}.
 */
package dev.chatserver.web;
