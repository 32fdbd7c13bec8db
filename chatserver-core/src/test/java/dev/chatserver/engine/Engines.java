package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.testing.TestEngines;
import dev.chatserver.testing.TestModels;
import dev.chatserver.testing.Transcript;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the engine tests need beyond {@link TestEngines}: a tracing engine and answers whose package-private reply
 * handle is visible. JUnit thread only.
 */
final class Engines {

    private Engines() {
    }

    /**
     * @return the tiny synthetic model in each tensor type the synthetic writer supports (F32, F16, Q8_0, Q4_K): they
     *         take different matrix paths (F32 and F16 need the padding row, Q8_0 does not; see the package
     *         documentation)
     */
    static List<Path> tinyInEveryType() {
        return List.of(TestModels.tiny(), tinyOfType(GgmlType.F16), tinyOfType(GgmlType.Q8_0),
                tinyOfType(GgmlType.Q4_K));
    }

    /**
     * @return the tiny synthetic model with weights of the given type; for Q4_K, whose super-blocks are 256 values
     *         wide, the tiny shape widened to embedding 256, feed-forward 768 and 8 heads (2 KV heads)
     */
    static Path tinyOfType(GgmlType type) {
        SyntheticModel.Builder shape = SyntheticModel.builder().type(type).name("synthetic-tiny-" + type);
        if (type == GgmlType.Q4_K) shape.embd(256).feedForward(768).heads(8).kvHeads(2);
        return TestModels.synthetic(shape.build());
    }

    /** @return an engine that digests the logits of every sampled token, for bit-for-bit comparisons */
    static ChatEngine startTracing(Path model, int parallel, UnaryOperator<EngineConfig.Builder> adjust) {
        return LlamaChatEngine.start(adjust.apply(TestEngines.config(model, parallel)).build(), true);
    }

    /** Sends a message and waits for the reply; asserts that it succeeded and completed exactly once. */
    static Answer ask(ChatSession session, String text) {
        Transcript transcript = Transcript.recording();
        Reply reply = session.send(text, transcript);
        Completion completion = TestEngines.await(reply);
        assertThat(completion.isSuccess()).as("%s: %s", completion.reason(), completion.message()).isTrue();
        assertThat(transcript.completeCalls.get()).isEqualTo(1);
        return new Answer(transcript.text(), completion, (ReplyHandle) reply);
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
