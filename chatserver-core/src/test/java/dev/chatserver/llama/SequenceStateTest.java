package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.testing.TestModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Logits, flash attention and moving a sequence's cache with save/restore, on the synthetic model. */
class SequenceStateTest {

    private static LlamaModel model;

    @BeforeAll
    static void load() {
        model = LlamaModel.load(TestModels.tiny(), ModelParams.defaults());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static int[] prompt() {
        return model.vocab().tokenize("hello world, hello again", true, false);
    }

    /** Decodes the prompt into a sequence; @return the batch index of the last token (with logits). */
    private static int decode(LlamaContext ctx, Batch batch, int[] tokens, int seq) {
        batch.clear();
        int last = -1;
        for (int i = 0; i < tokens.length; i++) last = batch.add(tokens[i], i, seq, i == tokens.length - 1);
        assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
        return last;
    }

    @Test
    void logitsCoverTheVocabularyOnlyWhereRequested() {
        try (LlamaContext ctx = model.newContext(new ContextParams(256, 32, 32, 2, 1, 1, true));
             Batch batch = Batch.create(32, 1)) {
            int last = decode(ctx, batch, prompt(), 0);
            float[] logits = ctx.logits(last);
            assertThat(logits).hasSize(model.vocab().size());
            assertThat(ctx.logits(last)).isEqualTo(logits);
            assertThatThrownBy(() -> ctx.logits(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aRestoredSequenceContinuesExactlyAsTheOriginal() {
        int[] tokens = prompt();
        try (LlamaContext ctx = model.newContext(new ContextParams(256, 32, 32, 2, 1, 1, true));
             Batch batch = Batch.create(32, 1);
             Arena arena = Arena.ofConfined()) {
            decode(ctx, batch, tokens, 0);
            MemorySegment state = ctx.saveSequence(0, arena);
            assertThat(state.byteSize()).isPositive();
            batch.clear();
            int index = batch.add(tokens[0], tokens.length, 0, true);
            batch.add(tokens[1], 0, 1, true);
            ctx.decode(batch);
            float[] expected = ctx.logits(index);

            // Move sequence 0 to sequence 1's place in a cleared cache, then continue both ways.
            ctx.clear();
            ctx.restoreSequence(1, state);
            assertThat(ctx.usedCells()).isEqualTo(tokens.length);
            assertThat(ctx.maxPosition(1)).isEqualTo(tokens.length - 1);
            batch.clear();
            index = batch.add(tokens[0], tokens.length, 1, true);
            batch.add(tokens[1], 0, 0, true);
            ctx.decode(batch);
            assertThat(ctx.logits(index)).isEqualTo(expected);
        }
    }

    @Test
    void restoringIntoAFullCacheFailsWithAClearError() {
        int[] tokens = prompt();
        try (LlamaContext ctx = model.newContext(new ContextParams(256, 256, 256, 3, 1, 1, true));
             Batch batch = Batch.create(256, 1);
             Arena arena = Arena.ofConfined()) {
            decode(ctx, batch, tokens, 0);
            MemorySegment state = ctx.saveSequence(0, arena);
            batch.clear();
            int free = ctx.contextTokens() - ctx.usedCells();
            for (int i = 0; i < free; i++) batch.add(tokens[0], i, 2, false);
            assertThat(ctx.decode(batch)).isEqualTo(DecodeResult.OK);
            // Restoring into sequence 1 needs room beside sequences 0 and 2, which fill the cache.
            assertThatThrownBy(() -> ctx.restoreSequence(1, state)).isInstanceOf(LlamaException.class)
                    .hasMessageContaining("no contiguous room");
            assertThat(ctx.usedCells()).as("nothing added, nothing lost").isEqualTo(ctx.contextTokens());
        }
    }
}
