package dev.chatserver.bench;

import dev.chatserver.gguf.SyntheticModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The memory bound grows with the sessions, the compute bound does not, and the lower of the two is the bound. */
class BoundsTest {

    @TempDir
    Path dir;

    @Test
    void theLowerOfTheMemoryAndComputeRatesIsTheBound() {
        // 1 GB of weights, 500 M parameters multiplied per token; 10 GB/s, 100 GFLOP/s
        ModelFacts model = new ModelFacts(1_000_000_000L, 600_000_000L, 500_000_000L, 4096, true);
        Bounds bounds = new Bounds(10e9, 100e9);

        assertThat(bounds.memoryTokensPerSecond(model, 1)).isCloseTo(10, within(1e-9));
        assertThat(bounds.memoryTokensPerSecond(model, 8)).isCloseTo(80, within(1e-9));
        assertThat(bounds.computeTokensPerSecond(model)).isCloseTo(100, within(1e-9));
        assertThat(bounds.tokensPerSecond(model, 8)).isCloseTo(80, within(1e-9));
        assertThat(bounds.computeBound(model, 8)).isFalse();
        assertThat(bounds.tokensPerSecond(model, 16)).isCloseTo(100, within(1e-9));
        assertThat(bounds.computeBound(model, 16)).isTrue();
        // a 1000-token prompt: 2 × 500 M × 1000 operations at 100 GFLOP/s
        assertThat(bounds.promptMillis(model, 1000)).isCloseTo(10_000, within(1e-6));
    }

    @Test
    void theTokenTableIsNotMultipliedWhenTheOutputMatrixIsItsOwn() throws Exception {
        ModelFacts tiny = ModelFacts.of(SyntheticModel.tiny().cachedIn(dir));

        assertThat(tiny.multipliedParameters()).isPositive().isLessThanOrEqualTo(tiny.parameters());
        assertThat(tiny.fileBytes()).isGreaterThan(tiny.parameters()); // F32: four bytes each
        assertThat(tiny.trainingContext()).isEqualTo(32_768);
        assertThat(tiny.addsBos()).isTrue();
    }

    @Test
    void theArithmeticRateIsMeasuredOnTheGivenThreads() {
        double one = ComputeThroughput.measure(1);

        // any machine this runs on does well over 0.1 GFLOP/s, and no core does 10 TFLOP/s
        assertThat(one).isBetween(1e8, 1e13);
    }

    @Test
    void theChartShowsABoundNearTheMeasurementsAndCutsOneFarAbove() {
        List<String> xs = List.of("1", "2");
        LineChart.Series measured = new LineChart.Series("m", List.of(10.0, 22.0));
        LineChart.Series limit = new LineChart.Series("limit", List.of(30.0, 400.0), LineChart.Style.LIMIT);
        LineChart close = new LineChart("t", "x", "y", xs, List.of(measured, limit,
                new LineChart.Series("bound", List.of(30.0, 40.0), LineChart.Style.BOUND)), "c");
        LineChart far = new LineChart("t", "x", "y", xs, List.of(measured, limit,
                new LineChart.Series("bound", List.of(300.0, 400.0), LineChart.Style.BOUND)), "c");
        LineChart bare = new LineChart("t", "x", "y", xs, List.of(limit), "c");

        assertThat(close.yMax()).isEqualTo(50);
        assertThat(far.yMax()).isEqualTo(25);
        assertThat(bare.yMax()).isEqualTo(500);
        assertThat(far.height()).isGreaterThan(bare.height()); // two legend rows against one
    }
}
