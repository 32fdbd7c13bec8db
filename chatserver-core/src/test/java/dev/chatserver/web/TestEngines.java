package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.EngineStats;
import dev.chatserver.engine.ReplyListener;
import dev.chatserver.protocol.MessageCodec;
import dev.chatserver.protocol.ServerMessage;
import dev.chatserver.testing.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Engines on the tiny synthetic model, and transcripts taken from the engine directly. JUnit thread only. */
final class TestEngines {

    private TestEngines() {
    }

    /**
     * @param maxTokens the answer limit
     * @return a running engine on the tiny synthetic model, with test-sized limits
     */
    static ChatEngine tiny(int maxTokens) {
        return ChatEngine.create(EngineConfig.builder(TestModels.tiny())
                .contextPerSession(Math.max(512, 2 * maxTokens + 256)).parallel(2).threads(2).batchSize(128)
                .maxTokens(maxTokens).build());
    }

    /**
     * The messages a protocol client sees for each prompt sent in turn to one fresh engine session.
     *
     * @param engine  the engine
     * @param prompts the prompts
     * @return per prompt, the encoded server messages (pieces, then the end)
     */
    static List<List<String>> transcripts(ChatEngine engine, String... prompts) throws InterruptedException {
        List<List<String>> all = new ArrayList<>();
        try (ChatSession session = engine.openSession()) {
            for (String prompt : prompts) {
                List<String> messages = new ArrayList<>();
                Completion completion = session.send(prompt, new ReplyListener() {
                    @Override
                    public void onText(String piece) {
                        synchronized (messages) {
                            messages.add(MessageCodec.encode(new ServerMessage.Piece(piece)));
                        }
                    }

                    @Override
                    public void onComplete(Completion c) {
                    }
                }).await(Duration.ofMinutes(5)).orElseThrow(() -> new AssertionError("engine did not answer"));
                if (!completion.isSuccess()) throw new AssertionError("engine failed: " + completion);
                synchronized (messages) {
                    messages.add(MessageCodec.encode(ServerMessage.End.ok()));
                    all.add(List.copyOf(messages));
                }
            }
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
    static void awaitStats(ChatEngine engine, String what, Predicate<EngineStats> test) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!test.test(engine.stats())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within 2 minutes, last " + engine.stats());
            }
            Thread.sleep(20);
        }
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
            } catch (dev.chatserver.protocol.ProtocolException e) {
                throw new AssertionError("not a server message: " + json, e);
            }
        }
        return text.toString();
    }
}
