package dev.chatserver.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.concurrent.TimeUnit;

/**
 * Generated tokens per second and time to first token for {@code sessions} concurrent sessions: our
 * {@code ChatEngine} ({@code impl=ours}) against llama.cpp's own server loop in the same native library
 * ({@code impl=llamacpp}), same model file, threads, context per session and greedy sampling.
 * <p>
 * One benchmark invocation is one round: every session gets the same prompt at the same moment and the round ends
 * when the last reply is complete. An iteration runs rounds back to back for its time (at least one round), so the
 * tiny model gets many rounds and a warm JIT while a big one still fits. JMH's score is the mean round time;
 * tokens/s (all tokens of the measured rounds over their summed time) and the mean time to first token go to
 * {@link TrialMetrics}.
 * State of one trial; JMH's benchmark thread runs every method.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-preview", "--enable-native-access=ALL-UNNAMED", "-Djmh.shutdownTimeout=2"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class ThroughputBenchmark {

    /** The prompt every session sends. */
    static final String PROMPT = "Tell me a story about a little robot who learns to paint.";

    /** Context per session in tokens, for us and (times sessions) for the anchor. */
    static final int CONTEXT_PER_SESSION = 512;

    /** {@code ours} or {@code llamacpp}. */
    @Param({ReportWriter.OURS, ReportWriter.ANCHOR})
    public String impl;

    /** A {@link BenchModels} name. */
    @Param({BenchModels.TINY})
    public String model;

    /** Concurrent sessions (slots). */
    @Param({"1", "2", "4", "8"})
    public int sessions;

    /** Tokens generated per reply. */
    @Param({"32"})
    public int tokens;

    /** llama.cpp decode threads. */
    @Param({"1"})
    public int threads;

    private Generator generator;
    private TrialMetrics metrics;
    private boolean measuring;

    /** Loads the model into the implementation under test. */
    @Setup(Level.Trial)
    public void loadModel() {
        BenchLogging.quiet();
        var file = BenchModels.resolve(model);
        generator = impl.equals(ReportWriter.OURS)
                ? new EngineGenerator(file, sessions, tokens, threads, CONTEXT_PER_SESSION)
                : new LlamaServerGenerator(file, sessions, tokens, threads, CONTEXT_PER_SESSION);
        metrics = new TrialMetrics("throughput").param("impl", impl).param("model", model)
                .param("sessions", sessions).param("tokens", tokens).param("threads", threads);
    }

    /** Remembers whether the coming iteration is measured (warm-up rounds are not counted). */
    @Setup(Level.Iteration)
    public void beginIteration(IterationParams iteration) {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
    }

    /** One round; returns the tokens generated so that the work cannot be optimised away. */
    @Benchmark
    public long round() throws InterruptedException {
        RoundResult r = generator.round(sessions, PROMPT);
        if (measuring) record(r);
        return r.tokens();
    }

    private void record(RoundResult r) {
        metrics.add("rounds", 1).add("replies", r.replies()).add("tokens", r.tokens()).add("pieces", r.pieces())
                .add("elapsedNanos", r.elapsedNanos()).add("ttftNanosSum", r.ttftNanosSum());
    }

    /** Publishes tokens/s and time to first token of the measured rounds, then unloads the model. */
    @TearDown(Level.Trial)
    public void unloadModel() {
        try {
            double replies = metrics.get("replies");
            if (replies > 0) {
                metrics.value("tokensPerSecond", metrics.get("tokens") / (metrics.get("elapsedNanos") / 1e9))
                        .value("ttftMillis", metrics.get("ttftNanosSum") / replies / 1e6)
                        .value("tokensPerReply", metrics.get("tokens") / replies)
                        .value("piecesPerReply", metrics.get("pieces") / replies);
            }
            metrics.publish();
        } finally {
            generator.close();
        }
    }

    /** The metrics of the trial so far (for the smoke test, which runs the benchmark in its own JVM). */
    TrialMetrics metrics() {
        return metrics;
    }
}
