package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.engine.Engines.Answer;
import dev.chatserver.gguf.GgmlType;
import dev.chatserver.llama.ModelParams;
import dev.chatserver.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineConfig#batchInvariant()}: on by default; off, a lone session decodes one-token batches without the
 * padding row and still answers, reproducibly, through follow-up turns and evictions. JUnit thread only.
 */
class BatchInvariantOptionTest {

    private static final String FIRST = "Tell me about the sea.";
    private static final String SECOND = "And the mountains?";

    @Test
    void invarianceIsTheDefault() {
        assertThat(EngineConfig.builder(Path.of("model.gguf")).build().batchInvariant()).isTrue();
        assertThat(EngineConfig.builder(Path.of("model.gguf")).batchInvariant(false).build().batchInvariant())
                .isFalse();
    }

    /** Repacked weights (Q4_K's interleaved kernel, see {@code RepackedWeightsTest}) only without invariance. */
    @Test
    void theModelIsLoadedWithoutRepackedWeightsUnlessInvarianceIsOff() {
        assertThat(EngineSetup.modelParams(EngineConfig.builder(Path.of("model.gguf")).build()))
                .isEqualTo(EngineSetup.INVARIANT_MODEL_PARAMS)
                .isEqualTo(ModelParams.defaults().withRepacking(false));
        assertThat(EngineSetup.modelParams(EngineConfig.builder(Path.of("model.gguf")).batchInvariant(false).build()))
                .isEqualTo(ModelParams.defaults());
        assertThat(ModelParams.defaults().repackWeights()).isTrue();
    }

    /**
     * The padding row is paid only where the model's one-row path rounds differently (F32 and F16 weights, measured
     * by {@code BatchShapeProbeTest}); Q8_0 and Q4_K weights need none; with invariance off nothing is padded.
     */
    @Test
    void onlyModelsWhoseOneRowPathDiffersGetThePaddingRow() {
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_K)) {
            Path model = Engines.tinyOfType(type);
            try (ChatEngine engine = Engines.startTracing(model, 2, c -> c);
                 ChatEngine plain = Engines.startTracing(model, 2, c -> c.batchInvariant(false))) {
                assertThat(((LlamaChatEngine) engine).padsOneRowSteps()).as("%s", type)
                        .isEqualTo(type == GgmlType.F32 || type == GgmlType.F16);
                assertThat(((LlamaChatEngine) plain).padsOneRowSteps()).as("%s, invariance off", type).isFalse();
            }
        }
    }

    @Test
    void withoutPaddingALoneSessionAnswersReproduciblyAcrossTurnsAndEvictions() {
        Path model = TestModels.tiny();
        try (ChatEngine engine = Engines.startTracing(model, 1, c -> c.batchInvariant(false));
             ChatEngine invariant = Engines.startTracing(model, 1, c -> c)) {
            String first;
            String second;
            try (ChatSession session = engine.openSession()) {
                first = Engines.ask(session, FIRST).textAndLogits();
                second = Engines.ask(session, SECOND).textAndLogits();
            }
            try (ChatSession again = engine.openSession()) {
                assertThat(Engines.ask(again, FIRST).textAndLogits()).isEqualTo(first);
                assertThat(Engines.ask(again, SECOND).textAndLogits()).isEqualTo(second);
            }
            // Another session takes the only slot in between, so the second turn decodes the history again.
            try (ChatSession evicted = engine.openSession(); ChatSession other = engine.openSession()) {
                Answer answer = Engines.ask(evicted, FIRST);
                assertThat(answer.textAndLogits()).isEqualTo(first);
                Engines.ask(other, FIRST);
                Answer afterEviction = Engines.ask(evicted, SECOND);
                assertThat(afterEviction.completion().isSuccess()).isTrue();
                assertThat(afterEviction.stats().generatedTokens()).isPositive();
            }
            String padded;
            try (ChatSession session = invariant.openSession()) {
                padded = Engines.ask(session, FIRST).textAndLogits();
            }
            System.out.printf("lone session, first answer: padded %s, unpadded %s (%s)%n", padded, first,
                    padded.equals(first) ? "same logits" : "logits differ in the last bits");
        }
    }
}
