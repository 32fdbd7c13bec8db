package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.llama.Batch;
import dev.chatserver.llama.ContextParams;
import dev.chatserver.llama.DecodeResult;
import dev.chatserver.llama.LlamaContext;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.testing.TestModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Why the invariant engine decodes at most {@value EngineSetup#INVARIANT_MAX_ROWS} rows per step: the same
 * 100-token history decoded in chunks of 2 to 63 tokens gives bit-identical next-token logits, in chunks of 64 or
 * more (ggml's CPU flash attention then takes its tiled kernel; without flash attention they agree) it does not, by up to 0.01 (F32) and 0.4 (Q8_0) on
 * llama.cpp v0.5.0. A session decoded again after an eviction (one long prompt batch) must equal the one built step
 * by step, so the engine keeps every step below that size. Prints what 64 rows give, asserts the rest.
 */
class FlashAttentionRowsTest {

    static Stream<Path> models() {
        return Stream.concat(Engines.tinyInEveryType().stream(), TestModels.stories().stream());
    }

    /** @return the logits after the last prompt token, the prompt decoded in chunks of {@code chunk} tokens */
    private static float[] afterChunks(LlamaModel model, int[] prompt, int chunk, boolean flash) {
        try (LlamaContext context = model.newContext(new ContextParams(1024, 128, 128, 2, 1, 1, flash));
             Batch batch = Batch.create(128, 1)) {
            int index = -1;
            for (int at = 0; at < prompt.length; at += chunk) {
                batch.clear();
                int n = Math.min(chunk, prompt.length - at);
                boolean last = at + n == prompt.length;
                // The last chunk's rows all want logits, so that no step has a one-row output layer.
                for (int i = 0; i < n; i++) index = batch.add(prompt[at + i], at + i, 0, last);
                boolean padded = batch.size() == 1;
                if (padded) batch.add(1, 0, 1, true);
                assertThat(context.decode(batch)).isEqualTo(DecodeResult.OK);
                if (padded) context.clearSequence(1);
            }
            return context.logits(index);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void chunksBelowTheTiledKernelGiveTheSameLogits(Path file) {
        try (LlamaModel model = LlamaModel.load(file, EngineSetup.INVARIANT_MODEL_PARAMS)) {
            int vocab = model.vocab().size();
            int[] prompt = new int[100];
            for (int i = 0; i < prompt.length; i++) prompt[i] = 1 + (i * 37) % (vocab - 1);
            float[] reference = afterChunks(model, prompt, 2, true);
            StringBuilder line = new StringBuilder("flash attention rows, " + model.info().name() + ", chunk:");
            for (int chunk : new int[] {1, 3, 8, 16, 33, 48, 62, 63, 64, 100}) {
                float[] logits = afterChunks(model, prompt, chunk, true);
                double max = 0;
                for (int t = 0; t < logits.length; t++) max = Math.max(max, Math.abs(logits[t] - reference[t]));
                boolean same = Arrays.equals(logits, reference);
                line.append(' ').append(chunk).append(same ? ":=" : String.format(":%.1g", max));
                if (chunk <= EngineSetup.INVARIANT_MAX_ROWS) assertThat(same).as("chunk %d", chunk).isTrue();
            }
            // Without flash attention, long chunks agree: the switch is flash attention's.
            float[] plain = afterChunks(model, prompt, 2, false);
            line.append(" | without flash attention, 64: ")
                    .append(Arrays.equals(plain, afterChunks(model, prompt, 64, false)) ? "=" : "≠")
                    .append(", 100: ").append(Arrays.equals(plain, afterChunks(model, prompt, 100, false)) ? "=" : "≠");
            System.out.println(line);
        }
    }

    @Test
    void theInvariantEnginesStepsStayBelowTheTiledKernel() {
        EngineConfig config = EngineConfig.builder(Path.of("model.gguf")).batchSize(512).build();
        // one more row for the padding token, or drafts up to the batch's capacity (steps + 1)
        assertThat(EngineSetup.rowsPerDecode(config) + 1).isLessThanOrEqualTo(EngineSetup.INVARIANT_MAX_ROWS);
        assertThat(EngineSetup.rowsPerDecode(EngineConfig.builder(Path.of("m.gguf")).batchSize(512)
                .batchInvariant(false).build())).isEqualTo(512);
    }
}
