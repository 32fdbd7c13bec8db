package dev.chatserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.llama.Batch;
import dev.chatserver.llama.ContextParams;
import dev.chatserver.llama.LlamaContext;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.Vocab;
import dev.chatserver.testing.TestModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Measures, at the level of raw logits, what makes one sequence's results depend on other sequences in llama.cpp
 * on the CPU, and checks the remedies the engine relies on (see the package documentation): flash attention, no
 * one-token batches, at most {@value EngineSetup#INVARIANT_MAX_ROWS} rows per decode, and a compact cache. The watched sequence always gets the same tokens (those of
 * its run alone), so any difference comes from the neighbours.
 */
class BatchInvarianceTest {

    private static final int STEPS = 40;

    /** The tiny synthetic model in every weight type the writer makes, and the stories model when present. */
    static Stream<Path> models() {
        return Stream.concat(Engines.tinyInEveryType().stream(), TestModels.stories().stream());
    }

    /** Each model in both KV layouts: one shared pool of cells, and one stream per sequence. */
    static Stream<Arguments> layouts() {
        return models().flatMap(model -> Stream.of(Arguments.of(model, true), Arguments.of(model, false)));
    }

    /** What the neighbour sequences do while the watched one (sequence 0) runs. */
    private enum Neighbours {
        /** Nothing: the watched sequence is alone. */
        NONE,
        /** A neighbour's prompt is cached before the watched one starts: its cells lie elsewhere. */
        CACHED_BEFORE,
        /** Every decode also carries a neighbour's token, whose logits are computed too. */
        SAME_BATCH,
        /** A neighbour's cache below the watched one is removed after its prompt, leaving free cells below. */
        REMOVED_BELOW,
        /** As {@link #REMOVED_BELOW}, then the cache is compacted as the engine does. */
        REMOVED_BELOW_COMPACTED
    }

    private record Run(List<float[]> logits, int[] tokens) {
    }

    private static Run run(LlamaModel model, boolean flash, boolean padLoneTokens, Neighbours neighbours,
                           int[] forced) {
        return run(model, true, flash, padLoneTokens, neighbours, forced);
    }

    private static Run run(LlamaModel model, boolean unified, boolean flash, boolean padLoneTokens,
                           Neighbours neighbours, int[] forced) {
        Vocab vocab = model.vocab();
        int[] prompt = vocab.tokenize("Once upon a time, there was a big dog", true, false);
        int[] other = vocab.tokenize("Tom and Sue went to the park to play with a ball", true, false);
        List<float[]> logits = new ArrayList<>();
        int[] tokens = new int[STEPS];
        try (LlamaContext context = model.newContext(new ContextParams(1024, 64, 64, 4, 1, 1, flash)
                .withUnifiedKv(unified));
             Batch batch = Batch.create(64, 1)) {
            if (neighbours != Neighbours.NONE && neighbours != Neighbours.SAME_BATCH) {
                for (int i = 0; i < other.length; i++) batch.add(other[i], i, 1, false);
                batch.add(other[0], 0, 2, false); // a second neighbour that stays
                decode(context, batch);
            }
            batch.clear();
            int last = -1;
            for (int i = 0; i < prompt.length; i++) last = batch.add(prompt[i], i, 0, i == prompt.length - 1);
            decode(context, batch);
            logits.add(context.logits(last));
            if (neighbours == Neighbours.REMOVED_BELOW || neighbours == Neighbours.REMOVED_BELOW_COMPACTED) {
                context.clearSequence(1);
            }
            if (neighbours == Neighbours.REMOVED_BELOW_COMPACTED) compact(context, 2, 0);
            for (int step = 0; step < STEPS; step++) {
                float[] scores = logits.getLast();
                tokens[step] = forced != null ? forced[step] : argmax(scores);
                batch.clear();
                int index = batch.add(tokens[step], prompt.length + step, 0, true);
                if (neighbours == Neighbours.SAME_BATCH) batch.add(other[step % other.length], step, 1, true);
                boolean padded = padLoneTokens && neighbours != Neighbours.SAME_BATCH;
                if (padded) batch.add(0, 0, 3, true);
                decode(context, batch);
                if (padded) context.clearSequence(3);
                logits.add(context.logits(index));
            }
        }
        return new Run(logits, tokens);
    }

    private static void compact(LlamaContext context, int... seqs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] states = new MemorySegment[seqs.length];
            for (int i = 0; i < seqs.length; i++) states[i] = context.saveSequence(seqs[i], arena);
            context.clear();
            for (int i = 0; i < seqs.length; i++) context.restoreSequence(seqs[i], states[i]);
        }
    }

    private static void decode(LlamaContext context, Batch batch) {
        assertThat(context.decode(batch)).isEqualTo(dev.chatserver.llama.DecodeResult.OK);
    }

    private static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    /** @return steps whose logits are bit for bit those of the reference; prints the comparison */
    private static int identicalSteps(String what, Run reference, Run run) {
        int identical = 0;
        double maxDiff = 0;
        for (int i = 0; i < reference.logits().size(); i++) {
            float[] a = reference.logits().get(i);
            float[] b = run.logits().get(i);
            if (Arrays.equals(a, b)) identical++;
            for (int t = 0; t < a.length; t++) maxDiff = Math.max(maxDiff, Math.abs(a[t] - b[t]));
        }
        System.out.printf("batch invariance: %-58s %2d/%d steps bit-identical, max |diff| %.2g%n", what, identical,
                reference.logits().size(), maxDiff);
        return identical;
    }

    @ParameterizedTest(name = "{0}, unified KV {1}")
    @MethodSource("layouts")
    void aSequenceGetsTheSameLogitsWhateverItsNeighboursDoWithTheEnginesRemedies(Path file, boolean unified) {
        try (LlamaModel model = LlamaModel.load(file, EngineSetup.INVARIANT_MODEL_PARAMS)) {
            String name = file.getFileName() + (unified ? ", unified" : ", per-stream");
            int all = STEPS + 1;

            // Cells placed elsewhere: without flash attention the other sequences' cells of a shared pool take part
            // in the sums (multiplied by zero), which changes their grouping; flash attention skips them.
            Run plain = run(model, unified, false, true, Neighbours.NONE, null);
            int plainSame = identicalSteps(name + ", no flash attention, neighbour cached before",
                    plain, run(model, unified, false, true, Neighbours.CACHED_BEFORE, plain.tokens()));
            if (!unified) assertThat(plainSame).as("own stream, no flash attention").isEqualTo(all);
            Run alone = run(model, unified, true, true, Neighbours.NONE, null);
            assertThat(identicalSteps(name + ", flash attention, neighbour cached before",
                    alone, run(model, unified, true, true, Neighbours.CACHED_BEFORE, alone.tokens())))
                    .isEqualTo(all);

            // One-token batches (and batches with one row of logits) take another matrix path than two or more,
            // for F32 and F16 weights (BatchShapeProbeTest: not for Q8_0).
            identicalSteps(name + ", one-token batches vs. shared batches",
                    run(model, unified, true, false, Neighbours.NONE, alone.tokens()),
                    run(model, unified, true, false, Neighbours.SAME_BATCH, alone.tokens()));
            // With a stream per sequence llama.cpp splits a batch into micro-batches of consecutive sequence ids
            // with equal token counts: the padding's sequence (3) is not next to the watched one (0), so a padded
            // step is two one-row micro-batches, and padding does not help.
            int padded = identicalSteps(name + ", padded (with logits) vs. shared batches",
                    alone, run(model, unified, true, true, Neighbours.SAME_BATCH, alone.tokens()));
            if (unified) assertThat(padded).isEqualTo(all);

            // Free cells below a sequence in a shared pool: its next tokens land below its older ones, and flash
            // attention visits cells in cache order. Compacting the cache keeps every sequence's cells in position
            // order. With a stream per sequence a neighbour's removal frees cells of its own stream only.
            int removedSame = identicalSteps(name + ", neighbour removed below",
                    alone, run(model, unified, true, true, Neighbours.REMOVED_BELOW, alone.tokens()));
            if (!unified) assertThat(removedSame).as("own stream, neighbour removed").isEqualTo(all);
            assertThat(identicalSteps(name + ", neighbour removed below, cache compacted",
                    alone, run(model, unified, true, true, Neighbours.REMOVED_BELOW_COMPACTED, alone.tokens())))
                    .isEqualTo(all);
        }
    }

    /**
     * A row's logits are the same beside 1 to {@value EngineSetup#INVARIANT_MAX_ROWS} - 1 other rows of another
     * sequence, and change when a decode carries more rows than {@value EngineSetup#INVARIANT_MAX_ROWS} (llama.cpp
     * v0.5.0 computes such micro-batches by another path): why the engine caps its decodes.
     */
    @ParameterizedTest
    @MethodSource("models")
    void aRowsLogitsDependOnTheBatchOnlyBeyondTheEnginesCap(Path file) {
        try (LlamaModel model = LlamaModel.load(file, EngineSetup.INVARIANT_MODEL_PARAMS)) {
            int[] prompt = model.vocab().tokenize("Once upon a time, there was a big dog", true, false);
            float[] padded = rowBeside(model, prompt, 0);
            for (int others : new int[] {1, 2, 7, 31, EngineSetup.INVARIANT_MAX_ROWS - 1}) {
                assertThat(rowBeside(model, prompt, others)).as("beside %d rows", others).isEqualTo(padded);
            }
            assertThat(rowBeside(model, prompt, EngineSetup.INVARIANT_MAX_ROWS)).as("beside %d rows",
                    EngineSetup.INVARIANT_MAX_ROWS).isNotEqualTo(padded);
        }
    }

    /** The logits of sequence 0's next token decoded beside {@code others} prompt rows of sequence 1 (0: padded). */
    private static float[] rowBeside(LlamaModel model, int[] prompt, int others) {
        try (LlamaContext context = model.newContext(new ContextParams(1024, 128, 128, 4, 1, 1, true));
             Batch batch = Batch.create(128, 1)) {
            for (int i = 0; i < prompt.length; i++) batch.add(prompt[i], i, 0, false);
            decode(context, batch);
            batch.clear();
            int index = batch.add(prompt[0], prompt.length, 0, true);
            if (others == 0) batch.add(0, 0, 3, true);
            for (int i = 0; i < others; i++) batch.add(5 + i, i, 1, i == others - 1);
            decode(context, batch);
            return context.logits(index);
        }
    }

    /**
     * The premises of drafting (see the package documentation), at the level of raw logits: rows of the same
     * sequence at later positions, added after its token in place of the padding row, change nothing of that
     * token's logits; a row whose token is the next one computes the logits that token gets when decoded in the next
     * step; and freeing their cells (the top-most) leaves the following steps unchanged.
     */
    @ParameterizedTest
    @MethodSource("models")
    void draftedRowsInPlaceOfThePaddingChangeNothingAndARightGuessComputesTheNextStep(Path file) {
        try (LlamaModel model = LlamaModel.load(file, EngineSetup.INVARIANT_MODEL_PARAMS)) {
            Run alone = run(model, true, true, Neighbours.NONE, null);
            int[] prompt = model.vocab().tokenize("Once upon a time, there was a big dog", true, false);
            int rightGuesses = 0;
            try (LlamaContext context = model.newContext(new ContextParams(1024, 64, 64, 4, 1, 1, true));
                 Batch batch = Batch.create(64, 1)) {
                for (int i = 0; i < prompt.length; i++) batch.add(prompt[i], i, 0, i == prompt.length - 1);
                decode(context, batch);
                for (int step = 0; step < STEPS; step++) {
                    int position = prompt.length + step;
                    batch.clear();
                    int index = batch.add(alone.tokens()[step], position, 0, true);
                    // Guesses: right ones (the tokens that follow) on even steps, wrong ones on odd steps.
                    int guesses = 1 + step % 4;
                    for (int g = 1; g <= guesses && step + g < STEPS; g++) {
                        int token = step % 2 == 0 ? alone.tokens()[step + g] : (alone.tokens()[step + g] + 1) % 256;
                        batch.add(token, position + g, 0, true);
                    }
                    boolean padded = batch.size() == 1; // the last step has nothing left to guess
                    if (padded) batch.add(0, 0, 3, true);
                    decode(context, batch);
                    if (padded) context.clearSequence(3);
                    assertThat(context.logits(index)).as("step %d", step).isEqualTo(alone.logits().get(step + 1));
                    for (int g = 1; step % 2 == 0 && !padded && g < batch.size(); g++) {
                        assertThat(context.logits(index + g)).as("step %d, guess %d", step, g)
                                .isEqualTo(alone.logits().get(step + 1 + g));
                        rightGuesses++;
                    }
                    context.removeTokens(0, position + 1, -1);
                }
            }
            assertThat(rightGuesses).isPositive();
        }
    }
}
