package dev.chatserver.engine;

import dev.chatserver.llama.ChatMessage;
import java.util.List;

/**
 * The prompt of one reply: the conversation it answers and the tokens to have in KV before sampling.
 *
 * @param messages     committed messages (after dropping turns, if any) plus the new user message
 * @param tokens       the whole conversation's tokens ending with the assistant header; a prefix of them may
 *                     already be in the session's KV cache
 * @param text         the formatted text the tokens spell
 * @param droppedTurns oldest user/assistant turns dropped to fit the window
 */
record Prompt(List<ChatMessage> messages, int[] tokens, String text, int droppedTurns) {
}
