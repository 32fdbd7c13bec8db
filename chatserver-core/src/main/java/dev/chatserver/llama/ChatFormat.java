package dev.chatserver.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Formats a conversation with {@code llama_chat_apply_template}. Stateless and thread-safe (native memory is a
 * confined arena per call).
 */
final class ChatFormat {

    /** The name llama.cpp gives the ChatML template. */
    static final String CHATML = "chatml";

    private static final long CONTENT = Llama.offset(Llama.CHAT_MESSAGE, "content");

    private ChatFormat() {
    }

    /**
     * @param template     a Jinja template text or a template name llama.cpp knows
     * @param messages     the conversation
     * @param addAssistant end with the start of the assistant's turn
     * @return the prompt, or empty when llama.cpp does not recognise the template
     */
    static Optional<String> apply(String template, List<ChatMessage> messages, boolean addAssistant) {
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment tmpl = temp.allocateFrom(template);
            MemorySegment chat = temp.allocate(Llama.CHAT_MESSAGE, Math.max(1, messages.size()));
            long textBytes = 0;
            for (int i = 0; i < messages.size(); i++) {
                ChatMessage m = messages.get(i);
                MemorySegment content = temp.allocateFrom(m.content());
                textBytes += content.byteSize();
                MemorySegment entry = chat.asSlice(i * Llama.CHAT_MESSAGE.byteSize(), Llama.CHAT_MESSAGE);
                entry.set(ADDRESS, 0, temp.allocateFrom(m.role()));
                entry.set(ADDRESS, CONTENT, content);
            }
            // The template adds markup around each message; llama.cpp reports the full length if this is short.
            long capacity = Math.min(Integer.MAX_VALUE, 2 * textBytes + 64L * messages.size() + 256);
            while (true) {
                MemorySegment buf = temp.allocate(capacity);
                int cap = (int) capacity;
                int n = Llama.call(() -> (int) GenerationCalls.CHAT_APPLY_TEMPLATE.invokeExact(
                        tmpl, chat, (long) messages.size(), addAssistant, buf, cap));
                if (n < 0) return Optional.empty();
                if (n <= capacity) {
                    return Optional.of(new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
                }
                capacity = n;
            }
        }
    }
}
