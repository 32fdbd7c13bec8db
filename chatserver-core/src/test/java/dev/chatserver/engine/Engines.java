package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chatserver.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Engines and conversations for the engine tests: real natives, small limits so that the suite stays fast. */
final class Engines {

    /** Generous: the machine running the tests may be loaded. */
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private Engines() {
    }

    /** @return the tiny synthetic model, always available */
    static Path tiny() {
        return TestModels.tiny();
    }

    /** @return the stories260k model; skips the test visibly when it is absent */
    static Path stories() {
        Optional<Path> path = TestModels.stories();
        assumeTrue(path.isPresent(), "stories260k.gguf not found under the folder named by chatserver.sharedModels");
        return path.orElseThrow();
    }

    /**
     * @return a config with test-sized limits: 512 tokens per session, 24 tokens per answer, batches of 128, and one
     *         decode thread (decode threads wait for each other by spinning, which a loaded machine punishes)
     */
    static EngineConfig.Builder config(Path model, int parallel) {
        return EngineConfig.builder(model).contextPerSession(512).parallel(parallel).maxTokens(24).threads(1)
                .batchSize(128);
    }

    static ChatEngine start(Path model, int parallel) {
        return ChatEngine.create(config(model, parallel).build());
    }

    static ChatEngine start(Path model, int parallel, UnaryOperator<EngineConfig.Builder> adjust) {
        return ChatEngine.create(adjust.apply(config(model, parallel)).build());
    }

    /** @return an engine that digests the logits of every sampled token, for bit-for-bit comparisons */
    static ChatEngine startTracing(Path model, int parallel, UnaryOperator<EngineConfig.Builder> adjust) {
        return LlamaChatEngine.start(adjust.apply(config(model, parallel)).build(), true);
    }

    /** Sends a message and waits for the reply; asserts that it succeeded and completed exactly once. */
    static Answer ask(ChatSession session, String text) {
        Transcript transcript = Transcript.recording();
        Reply reply = session.send(text, transcript);
        Completion completion = await(reply);
        assertThat(completion.isSuccess()).as("%s: %s", completion.reason(), completion.message()).isTrue();
        assertThat(transcript.completeCalls.get()).isEqualTo(1);
        return new Answer(transcript.text(), completion, (ReplyHandle) reply);
    }

    static Completion await(Reply reply) {
        try {
            Optional<Completion> completion = reply.await(TIMEOUT);
            assertThat(completion).as("reply completed within %s", TIMEOUT).isPresent();
            return completion.orElseThrow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * One answer.
     *
     * @param text       the concatenated pieces
     * @param completion how it ended
     * @param reply      the handle (its answer tokens are visible to tests of this package)
     */
    record Answer(String text, Completion completion, ReplyHandle reply) {
        ReplyStats stats() {
            return completion.stats();
        }

        /** @return the text and, from a tracing engine, the digest of the logits behind every token */
        String textAndLogits() {
            return text + " #" + Long.toHexString(reply.logitsDigest());
        }
    }
}
