/**
 * The OpenAI-compatible HTTP API on the web server's port: {@code POST /v1/chat/completions} (JSON, or server-sent
 * events with {@code stream}), {@code GET /v1/models}.
 *
 * <p>Each request is stateless: it carries the whole conversation, which the engine answers with
 * {@link dev.chatserver.engine.ChatEngine#complete} in the slot whose cache shares the longest prefix with it, so a
 * conversation replayed turn by turn decodes only each new turn ({@code usage.prompt_tokens_details.cached_tokens}
 * counts the rest). Requests share the engine's queue and its busy limit with TCP and WebSocket users; a full queue
 * is 503 (the server is overloaded, as OpenAI answers then; 429 would blame the client's own rate). An answer streams
 * as the engine produces it, and a client that goes away cancels it at the next piece written. Stop strings apply to
 * the text. The model field may name anything: the server answers with the model it serves.
 */
package dev.chatserver.openai;
