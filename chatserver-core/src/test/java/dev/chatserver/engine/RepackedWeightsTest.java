package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.ModelParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Why the invariant engine loads models without ggml's repacked weights ({@link EngineSetup#INVARIANT_MODEL_PARAMS}):
 * with them (llama.cpp's default) the CPU backend multiplies Q4_K matrices by an interleaved kernel once a batch
 * has four or more rows, and the watched sequence's logits then differ from those it gets in batches of one to
 * three rows — in some steps when the batch has four or more rows, in every step when four or more of them want
 * logits. Without repacking every batch of 1 to 62 rows agrees. Prints one line per case (a step's {@code =}: the
 * same bits as alone, {@code x}: not). JUnit thread only.
 */
class RepackedWeightsTest {

    private static final int STEPS = BatchShapeProbeTest.STEPS;
    private static final int[] ROWS = {1, 2, 3, 4, 5, 8, 17, 62};

    /** @return per row count, the steps (as {@code =} and {@code x}) that gave the same logits as the one-row run */
    private static List<String> stepsLikeAlone(boolean repack, int logitRows) {
        List<String> result = new ArrayList<>();
        StringBuilder line = new StringBuilder(String.format("repacked weights %-3s, %d rows with logits:",
                repack ? "on" : "off", logitRows));
        try (LlamaModel model = LlamaModel.load(Engines.tinyOfType(GgmlType.Q4_K),
                ModelParams.defaults().withRepacking(repack))) {
            List<float[]> alone = BatchShapeProbeTest.watched(model, true, 1, 1);
            for (int rows : ROWS) {
                if (rows < logitRows) continue;
                List<float[]> beside = BatchShapeProbeTest.watched(model, true, rows, logitRows);
                StringBuilder steps = new StringBuilder();
                for (int i = 0; i < STEPS; i++) steps.append(Arrays.equals(alone.get(i), beside.get(i)) ? '=' : 'x');
                result.add(steps.toString());
                line.append(' ').append(rows).append(':').append(steps);
            }
        }
        System.out.println(line);
        return result;
    }

    @Test
    void repackedQ4KWeightsMakeARowDependOnBatchesOfFourOrMoreRows() {
        String same = "=".repeat(STEPS);
        String differ = "x".repeat(STEPS);
        // ROWS: 1, 2, 3 agree; from 4 rows on the interleaved kernel takes over.
        List<String> oneWithLogits = stepsLikeAlone(true, 1);
        assertThat(oneWithLogits.subList(0, 3)).containsOnly(same);
        assertThat(oneWithLogits.subList(3, ROWS.length)).allSatisfy(steps -> assertThat(steps).contains("x"));
        List<String> fourWithLogits = stepsLikeAlone(true, 4); // rows 4, 5, 8, 17, 62
        assertThat(fourWithLogits).containsOnly(differ);

        assertThat(stepsLikeAlone(false, 1)).containsOnly(same);
        assertThat(stepsLikeAlone(false, 4)).containsOnly(same);
    }
}
