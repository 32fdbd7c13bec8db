package dev.chatserver.bench;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.SyntheticModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The idle counts follow the open-file limit, and the report says when the limit caps them. */
class BenchPlanTest {

    @Test
    void largestIdleCountLeavesRoomForTheServersOwnFilesAndRoundsToThousands() {
        assertThat(BenchPlan.largestIdle(20_000)).isEqualTo(18_000);
        assertThat(BenchPlan.largestIdle(1_048_576)).isEqualTo(BenchPlan.MAX_IDLE);
        assertThat(BenchPlan.largestIdle(1_500)).isZero();
    }

    @Test
    void fullPlanIsCappedByALowLimitAndSaysSo() {
        BenchPlan plan = BenchPlan.full(20_000);

        assertThat(plan.idleCounts()).containsExactly(0, 1000, 10_000, 18_000);
        assertThat(plan.idleCapNote()).contains("18000").contains("100000").contains("20000");
    }

    @Test
    void fullPlanReachesOneHundredThousandWithAHighLimit() {
        BenchPlan plan = BenchPlan.full(1_048_576);

        assertThat(plan.idleCounts()).containsExactly(0, 1000, 10_000, 100_000);
        assertThat(plan.idleCapNote()).isEmpty();
    }

    @Test
    void theQ4KVariantOfTheQwenShapeDiffersOnlyInWeightTypeAndName() {
        SyntheticModel q8 = BenchModels.shape(BenchModels.QWEN25_1_5B_SHAPE);
        SyntheticModel q4k = BenchModels.shape(BenchModels.QWEN25_1_5B_SHAPE_Q4K);

        assertThat(q8.type()).isEqualTo(GgmlType.Q8_0);
        assertThat(q4k.type()).isEqualTo(GgmlType.Q4_K);
        assertThat(q4k.toBuilder().type(GgmlType.Q8_0).name(q8.name()).build()).isEqualTo(q8);
        assertThat(BenchPlan.full(1_048_576).models()).containsSequence(BenchModels.QWEN25_1_5B_SHAPE,
                BenchModels.QWEN25_1_5B_SHAPE_Q4K);
    }

    @Test
    void quickPlanDropsCountsThatCollapseUnderTheLimit() {
        BenchPlan plan = BenchPlan.quick(5_000);

        assertThat(plan.idleCounts()).containsExactly(0, 1000, 3000);
        assertThat(plan.models()).containsExactly(BenchModels.TINY, BenchModels.SMALL, BenchModels.QWEN25_1_5B_SHAPE,
                BenchModels.QWEN25_1_5B_SHAPE_Q4K);
        assertThat(plan.tokensFor(BenchModels.QWEN25_1_5B_SHAPE)).isLessThan(plan.tokensFor(BenchModels.TINY));
        assertThat(plan.tokensFor(BenchModels.QWEN25_1_5B_SHAPE_Q4K)).isEqualTo(BenchPlan.BIG_MODEL_TOKENS);
        assertThat(plan.measureFor(BenchModels.QWEN25_1_5B_SHAPE_Q4K)).isEqualTo(1);
        assertThat(plan.threads()).isPositive();
    }

    @Test
    void theLongPromptRunsOnTheQwenShapesAndModelFilesOnly() {
        BenchPlan plan = BenchPlan.quick(20_000);
        List<String> models = new ArrayList<>(plan.models());
        models.add("models/stories260k.gguf");
        BenchPlan withFile = plan.throughputOnly(models);

        assertThat(withFile.ttft().promptTokens()).isEqualTo(BenchPlan.TTFT_PROMPT_TOKENS);
        assertThat(withFile.ttftModels()).containsExactly(BenchModels.QWEN25_1_5B_SHAPE,
                BenchModels.QWEN25_1_5B_SHAPE_Q4K, "models/stories260k.gguf");
        assertThat(withFile.withThreads(1).ttftModels()).isEqualTo(withFile.ttftModels());
        assertThat(withFile.withoutTtft().ttftModels()).isEmpty();
        assertThat(BenchPlan.full(20_000).ttft().measure()).isGreaterThan(plan.ttft().measure());
    }
}
