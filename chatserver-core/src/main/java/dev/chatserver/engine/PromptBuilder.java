package dev.chatserver.engine;

import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.Vocab;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a reply's prompt from a session's conversation and the new message; runs on the engine thread.
 *
 * <p>Only the template's own text becomes control tokens; every message's content is read as plain characters
 * ({@link TemplateTokenizer}), so a user cannot forge a turn by typing {@code <|im_start|>}.
 *
 * <p>The conversation is formatted with the model's chat template. When the new formatting starts with the text
 * the session's tokens already spell (the usual case), only the new suffix is tokenized and appended to the
 * existing tokens, so the tokens of earlier answers stay exactly as sampled and the KV cache can be reused — the
 * {@code prev_len} technique. Otherwise (a template that rewrites earlier turns, or dropped turns) the whole
 * conversation is tokenized again.
 *
 * <p>Fit rule: prompt tokens + room for the answer must not exceed the context per session, where the room is
 * {@code min(maxTokens, contextPerSession / 4)}. While it does not fit, the oldest user/assistant turn is dropped
 * (system messages stay). If even the new message alone (with the system prompt) does not fit, there is no prompt.
 *
 * <p>A stateless request ({@link #buildStateless}) is formatted and tokenized whole, exactly as if it were the first
 * message of a fresh session, so that its answer never depends on what is cached; nothing is dropped (the client owns
 * the conversation), and it must leave room for one answer token at least.
 */
final class PromptBuilder {

    private final Vocab vocab;
    private final TemplateTokenizer template;
    private final int contextPerSession;
    private final int answerRoom;

    PromptBuilder(LlamaModel model, int contextPerSession, int maxTokens) {
        this.vocab = model.vocab();
        this.template = new TemplateTokenizer(model);
        this.contextPerSession = contextPerSession;
        this.answerRoom = Math.max(1, Math.min(maxTokens, contextPerSession / 4));
    }

    /** The outcome: a prompt, or the reason there is none. */
    sealed interface Result permits Built, Refused {
    }

    /** @param prompt the prompt that fits */
    record Built(Prompt prompt) implements Result {
    }

    /**
     * @param reason  how the reply ends: {@code CONTEXT_FULL} when the message does not fit, {@code ERROR} when it
     *                could not be formatted or tokenized
     * @param message why the message cannot be answered
     */
    record Refused(FinishReason reason, String message) implements Result {
    }

    Result build(Conversation conversation, String userText) {
        // Tokens rarely spell more than a few characters: a text of over 64 per context token cannot fit, and is
        // refused before tokenizing it costs the engine thread time.
        if (userText.length() > 64L * contextPerSession) {
            return new Refused(FinishReason.CONTEXT_FULL, "the message has " + userText.length()
                    + " characters; a conversation holds at most " + contextPerSession + " tokens");
        }
        List<ChatMessage> messages = new ArrayList<>(conversation.messages);
        messages.add(new ChatMessage(ChatMessage.USER, userText));
        TemplateTokenizer.Formatted formatted = template.format(messages);
        String text = formatted.text();
        int[] tokens = null;
        String covered = conversation.coveredText;
        if (!covered.isEmpty() && text.startsWith(covered)) {
            int[] suffix = formatted.tokensFrom(covered.length(), vocab);
            if (suffix != null) tokens = concat(conversation.tokens, suffix);
        }
        if (tokens == null) tokens = template.tokens(formatted);
        int dropped = 0;
        while (tokens.length + answerRoom > contextPerSession) {
            int first = firstTurn(messages);
            if (first < 0) {
                return new Refused(FinishReason.CONTEXT_FULL, "the message needs " + tokens.length
                        + " tokens with the conversation's start, but a conversation holds at most "
                        + contextPerSession + " tokens including " + answerRoom + " for the answer");
            }
            int next = first + 1;
            while (next < messages.size() - 1 && !messages.get(next).role().equals(ChatMessage.USER)) next++;
            messages.subList(first, next).clear();
            dropped++;
            formatted = template.format(messages);
            text = formatted.text();
            tokens = template.tokens(formatted);
        }
        return new Built(new Prompt(List.copyOf(messages), tokens, text, dropped));
    }

    /**
     * @param messages the whole conversation of a stateless request, not empty
     * @return its prompt, or why there is none
     */
    Result buildStateless(List<ChatMessage> messages) {
        long chars = 0;
        for (ChatMessage message : messages) chars += message.content().length();
        if (chars > 64L * contextPerSession) {
            return new Refused(FinishReason.CONTEXT_FULL, "the messages have " + chars
                    + " characters; a conversation holds at most " + contextPerSession + " tokens");
        }
        // As in build: only the template's text becomes control tokens, never a message's content.
        TemplateTokenizer.Formatted formatted = template.format(messages);
        String text = formatted.text();
        int[] tokens = template.tokens(formatted);
        if (tokens.length >= contextPerSession) {
            return new Refused(FinishReason.CONTEXT_FULL, "the messages need " + tokens.length
                    + " tokens, but a conversation holds at most " + contextPerSession + " tokens including the answer");
        }
        return new Built(new Prompt(List.copyOf(messages), tokens, text, 0));
    }

    /** @return index of the oldest user message that is not the new one, or -1 if only the new one is left */
    private static int firstTurn(List<ChatMessage> messages) {
        for (int i = 0; i < messages.size() - 1; i++) {
            if (!messages.get(i).role().equals(ChatMessage.SYSTEM)) return i;
        }
        return -1;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = new int[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
