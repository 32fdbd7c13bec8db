package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.EngineStats;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ProtocolException;
import dev.chatserver.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The web tests' view of {@link dev.chatserver.testing.TestEngines}: engines on the tiny synthetic model, and what
 * a protocol client should see, taken from the engine directly. JUnit thread only.
 */
final class TestEngines {

    private TestEngines() {
    }

    /**
     * @param maxTokens the answer limit
     * @return a running engine on the tiny synthetic model, with test-sized limits (one decode thread: two spin
     *         for each other on a loaded machine, and a 1000-token answer then takes minutes)
     */
    static ChatEngine tiny(int maxTokens) {
        return dev.chatserver.testing.TestEngines.start(2, config -> config
                .contextPerSession(Math.max(512, 2 * maxTokens + 256)).maxTokens(maxTokens));
    }

    /**
     * The messages a protocol client sees for each prompt sent in turn to one fresh engine session.
     *
     * @param engine  the engine
     * @param prompts the prompts
     * @return per prompt, the encoded server messages (pieces, then the end)
     */
    static List<List<String>> transcripts(ChatEngine engine, String... prompts) {
        List<List<String>> all = new ArrayList<>();
        for (List<String> pieces : dev.chatserver.testing.TestEngines.pieces(engine, prompts)) {
            List<String> messages = new ArrayList<>();
            for (String piece : pieces) messages.add(MessageCodec.encode(new ServerMessage.Piece(piece)));
            messages.add(MessageCodec.encode(ServerMessage.End.ok()));
            all.add(List.copyOf(messages));
        }
        return all;
    }

    /**
     * Waits until the engine's stats pass a test. They are a snapshot the engine thread refreshes each step, so they
     * are polled, with a generous deadline.
     *
     * @param engine the engine
     * @param what   what is awaited, for the failure message
     * @param test   the condition
     */
    static void awaitStats(ChatEngine engine, String what, Predicate<EngineStats> test) {
        dev.chatserver.testing.TestEngines.eventually(what, () -> test.test(engine.stats()));
    }

    /**
     * @param transcript encoded server messages
     * @return the text of the pieces, joined
     */
    static String text(List<String> transcript) {
        StringBuilder text = new StringBuilder();
        for (String json : transcript) {
            try {
                if (MessageCodec.decodeServer(json) instanceof ServerMessage.Piece piece) text.append(piece.token());
            } catch (ProtocolException e) {
                throw new AssertionError("not a server message: " + json, e);
            }
        }
        return text.toString();
    }
}
