package dev.chatserver.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.EngineConfig;
import dev.chatserver.engine.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** Real engines on the tiny synthetic model with test-sized limits, and ways to ask them directly. */
public final class TestEngines {

    /** How long a test waits for an answer or a condition: generous, for a loaded machine. */
    public static final Duration TIMEOUT = Duration.ofSeconds(120);

    private TestEngines() {
    }

    /**
     * @param model    the model file
     * @param parallel slots decoded together
     * @return a config with test-sized limits: 512 tokens per session, 24 tokens per answer, batches of 128, and one
     *         decode thread (decode threads wait for each other by spinning, which a loaded machine punishes)
     */
    public static EngineConfig.Builder config(Path model, int parallel) {
        return EngineConfig.builder(model).contextPerSession(512).parallel(parallel).maxTokens(24).threads(1)
                .batchSize(128);
    }

    /** @return an engine on the model with the test-sized limits of {@link #config} */
    public static ChatEngine start(Path model, int parallel) {
        return start(model, parallel, UnaryOperator.identity());
    }

    /** @return an engine on the model with the test-sized limits of {@link #config}, adjusted */
    public static ChatEngine start(Path model, int parallel, UnaryOperator<EngineConfig.Builder> adjust) {
        return ChatEngine.create(adjust.apply(config(model, parallel)).build());
    }

    /** @return an engine on the tiny synthetic model with the test-sized limits of {@link #config}, adjusted */
    public static ChatEngine start(int parallel, UnaryOperator<EngineConfig.Builder> adjust) {
        return start(TestModels.tiny(), parallel, adjust);
    }

    /** @return the answers of a fresh session to the prompts, in turn, asked without any server */
    public static List<String> direct(ChatEngine engine, String... prompts) {
        return pieces(engine, prompts).stream().map(answer -> String.join("", answer)).toList();
    }

    /**
     * @return per prompt, the pieces of a fresh session's answer as its listener received them, asked in turn
     *         without any server
     */
    public static List<List<String>> pieces(ChatEngine engine, String... prompts) {
        return answers(engine, prompts).stream().map(Answered::pieces).toList();
    }

    /**
     * One answer as a listener received it.
     *
     * @param pieces     the text pieces in order
     * @param completion how it ended
     */
    public record Answered(List<String> pieces, Completion completion) {
    }

    /**
     * @return per prompt, a fresh session's successful answer (pieces and completion), asked in turn without any
     *         server
     */
    public static List<Answered> answers(ChatEngine engine, String... prompts) {
        List<Answered> answers = new ArrayList<>();
        try (ChatSession session = engine.openSession()) {
            for (String prompt : prompts) {
                Transcript transcript = Transcript.recording();
                Completion completion = await(session.send(prompt, transcript));
                assertThat(completion.isSuccess()).as("%s %s", completion.reason(), completion.message()).isTrue();
                answers.add(new Answered(List.copyOf(transcript.pieces), completion));
            }
        }
        return answers;
    }

    /** @return the reply's completion; fails the test when it does not complete within {@link #TIMEOUT} */
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
