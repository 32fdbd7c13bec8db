package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.llama.Batch;
import dev.chatserver.llama.ContextParams;
import dev.chatserver.llama.DecodeResult;
import dev.chatserver.llama.LlamaContext;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Measures, per tensor type and KV layout, whether a sequence's logits depend on how many rows its batch has: the
 * watched sequence 0 decodes the same forced tokens while 0 to 7 neighbour sequences each add one token per step
 * (with logits, or without: then the batch's output layer has one row). Prints a table; asserts what the engine
 * relies on: all batches of two or more rows agree, and {@link RowPathCheck} tells whether one-row steps do too.
 * Models are loaded as the engine loads them with batch invariance ({@link EngineSetup#INVARIANT_MODEL_PARAMS}: no
 * repacked weights; {@code RepackedWeightsTest} shows why).
 */
class BatchShapeProbeTest {

    static final int STEPS = 12;
    private static final int[] ROWS = {1, 2, 3, 4, 5, 8};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        List<Path> models = new ArrayList<>(List.of(TestModels.tiny(),
                TestModels.synthetic(SyntheticModel.builder().type(GgmlType.F16).name("synthetic-tiny-f16").build()),
                TestModels.synthetic(SyntheticModel.builder().type(GgmlType.Q8_0).name("synthetic-tiny-q8").build()),
                TestModels.synthetic(SyntheticModel.builder().embd(256).feedForward(768).heads(8).kvHeads(2)
                        .type(GgmlType.Q8_0).name("synthetic-256-q8").build()),
                Engines.tinyOfType(GgmlType.Q4_K)));
        TestModels.stories().ifPresent(models::add);
        for (Path model : models) {
            cases.add(Arguments.of(model, true));
            cases.add(Arguments.of(model, false));
        }
        return cases.stream();
    }

    /** @return sequence 0's logits at each step when every batch carries {@code rows - 1} neighbour tokens */
    static List<float[]> watched(LlamaModel model, boolean unified, int rows, boolean neighbourLogits) {
        return watched(model, unified, rows, neighbourLogits ? rows : 1);
    }

    /**
     * @return sequence 0's logits at each of {@value #STEPS} steps when every batch carries {@code rows - 1} (at most
     *         63) neighbour tokens of sequences 1, 2, ..., the first {@code logitRows - 1} of them with logits
     */
    static List<float[]> watched(LlamaModel model, boolean unified, int rows, int logitRows) {
        int[] prompt = model.vocab().tokenize("Once upon a time, there was a big dog", true, false);
        List<float[]> logits = new ArrayList<>();
        try (LlamaContext context = model.newContext(new ContextParams(256 * 9, 64, 64, Math.max(9, rows), 1, 1, true)
                .withUnifiedKv(unified));
             Batch batch = Batch.create(64, 1)) {
            for (int i = 0; i < prompt.length; i++) batch.add(prompt[i], i, 0, i == prompt.length - 1);
            assertThat(context.decode(batch)).isEqualTo(DecodeResult.OK);
            for (int step = 0; step < STEPS; step++) {
                batch.clear();
                int index = batch.add(prompt[step % prompt.length], prompt.length + step, 0, true);
                for (int n = 1; n < rows; n++) batch.add(prompt[(step + n) % prompt.length], step, n, n < logitRows);
                assertThat(context.decode(batch)).isEqualTo(DecodeResult.OK);
                logits.add(context.logits(index));
            }
        }
        return logits;
    }

    static boolean same(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) if (!Arrays.equals(a.get(i), b.get(i))) return false;
        return true;
    }

    static double maxDiff(List<float[]> a, List<float[]> b) {
        double max = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int t = 0; t < a.get(i).length; t++) max = Math.max(max, Math.abs(a.get(i)[t] - b.get(i)[t]));
        }
        return max;
    }

    @ParameterizedTest(name = "{0}, unified {1}")
    @MethodSource("cases")
    void rowsOfABatchAgreeWhereBatchShapeSaysTheyDo(Path file, boolean unified) {
        try (LlamaModel model = LlamaModel.load(file, EngineSetup.INVARIANT_MODEL_PARAMS)) {
            List<float[]> two = watched(model, unified, 2, true);
            StringBuilder line = new StringBuilder(String.format("batch shape: %-20s %-11s vs 2 rows:",
                    model.info().name(), unified ? "unified" : "per-stream"));
            boolean oneRowAgrees = false;
            boolean manyRowsAgree = true;
            for (int rows : ROWS) {
                List<float[]> with = watched(model, unified, rows, true);
                boolean same = same(two, with);
                if (rows == 1) oneRowAgrees = same;
                else manyRowsAgree &= same;
                line.append(String.format(" %d:%s", rows, same ? "=" : String.format("%.1g", maxDiff(two, with))));
            }
            List<float[]> oneOutput = watched(model, unified, 2, false);
            boolean oneOutputAgrees = same(two, oneOutput);
            line.append(String.format(" | 2 rows, 1 output:%s", oneOutputAgrees ? "=" : "≠"));
            boolean verdict;
            try (LlamaContext context = model.newContext(new ContextParams(256, 16, 16, 2, 1, 1, true)
                    .withUnifiedKv(unified));
                 Batch batch = Batch.create(16, 1)) {
                verdict = RowPathCheck.oneRowMatchesMany(context, batch, 0, 1, 1);
            }
            System.out.println(line + " | self-check: " + (verdict ? "no padding" : "padding"));
            assertThat(manyRowsAgree).as("rows 2..8 agree").isTrue();
            assertThat(verdict).as("the engine's self-check").isEqualTo(oneRowAgrees && oneOutputAgrees);
        }
    }
}
