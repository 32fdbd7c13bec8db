package dev.chatserver.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.Reply;
import dev.chatserver.engine.ReplyListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** Real engines on the tiny synthetic model with test-sized limits, and ways to ask them directly. */
public final class TestEngines {

    public static final Duration TIMEOUT = Duration.ofSeconds(120);

    private TestEngines() {
    }

    /** @return an engine: 512 tokens per session, 24 tokens per answer, one decode thread */
    public static ChatEngine start(int parallel, UnaryOperator<EngineConfig.Builder> adjust) {
        return ChatEngine.create(adjust.apply(EngineConfig.builder(TestModels.tiny()).contextPerSession(512)
                .parallel(parallel).maxTokens(24).threads(1).batchSize(128)).build());
    }

    /** @return the answers of a fresh session to the prompts, in turn, asked without any server */
    public static List<String> direct(ChatEngine engine, String... prompts) {
        List<String> answers = new ArrayList<>();
        try (ChatSession session = engine.openSession()) {
            for (String prompt : prompts) {
                StringBuilder text = new StringBuilder();
                Reply reply = session.send(prompt, new ReplyListener() {
                    @Override
                    public void onText(String piece) {
                        synchronized (text) {
                            text.append(piece);
                        }
                    }

                    @Override
                    public void onComplete(Completion completion) {
                    }
                });
                Completion completion = await(reply);
                assertThat(completion.isSuccess()).as("%s %s", completion.reason(), completion.message()).isTrue();
                synchronized (text) {
                    answers.add(text.toString());
                }
            }
        }
        return answers;
    }

    public static Completion await(Reply reply) {
        try {
            Optional<Completion> completion = reply.await(TIMEOUT);
            assertThat(completion).as("reply completed within %s", TIMEOUT).isPresent();
            return completion.orElseThrow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits, checking now and then, until the condition holds; fails after the timeout. */
    public static void eventually(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - end).as("timed out waiting until %s", what).isNegative();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
