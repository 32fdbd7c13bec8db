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
 * {@code ChatEngine} against llama.cpp's own server loop in the same native library, same model file, threads,
 * context per session and greedy sampling.
 * <p>
 * One benchmark invocation runs one round on each side, in alternating order: in a round every session gets the
 * same prompt at the same moment and the round ends when the last reply is complete. Both sides live in the same
 * JVM and take turns round by round, so that on a shared machine both see the same background load (trials of
 * their own, minutes apart, would not). An iteration runs such pairs back to back for its time (at least one), so
 * the tiny model gets many rounds and a warm JIT while a big one still fits. JMH's score is the mean time of a pair;
 * tokens/s (all tokens of the measured rounds over their summed time) and the mean time to first token of each side
 * go to {@link TrialMetrics}, one line per side ({@code impl=ours}, {@code impl=llamacpp}).
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

    /**
     * Our engine's {@code EngineConfig.batchInvariant}: true (the default) pads lone tokens so that answers do not
     * depend on other sessions; false measures the faster lone-session path. The report shows the last trial of each
     * model and session count, so run one value at a time.
     */
    @Param({"true"})
    public boolean batchInvariant;

    private Side ours;
    private Side anchor;
    private boolean measuring;
    private boolean oursFirst;

    /** One implementation and what its measured rounds produced. */
    private record Side(Generator generator, TrialMetrics metrics) {
        long round(int sessions, boolean measuring) throws InterruptedException {
            RoundResult r = generator.round(sessions, PROMPT);
            if (measuring) {
                metrics.add("rounds", 1).add("replies", r.replies()).add("tokens", r.tokens())
                        .add("pieces", r.pieces()).add("elapsedNanos", r.elapsedNanos())
                        .add("ttftNanosSum", r.ttftNanosSum());
            }
            return r.tokens();
        }
    }

    /** Loads the model into both implementations. */
    @Setup(Level.Trial)
    public void loadModel() {
        BenchLogging.quiet();
        var file = BenchModels.resolve(model);
        ours = new Side(new EngineGenerator(file, sessions, tokens, threads, CONTEXT_PER_SESSION, batchInvariant),
                metrics(ReportWriter.OURS));
        anchor = new Side(new LlamaServerGenerator(file, sessions, tokens, threads, CONTEXT_PER_SESSION),
                metrics(ReportWriter.ANCHOR));
    }

    private TrialMetrics metrics(String impl) {
        return new TrialMetrics("throughput").param("impl", impl).param("model", model)
                .param("sessions", sessions).param("tokens", tokens).param("threads", threads)
                .param("batchInvariant", Boolean.toString(batchInvariant));
    }

    /** Remembers whether the coming iteration is measured (warm-up rounds are not counted). */
    @Setup(Level.Iteration)
    public void beginIteration(IterationParams iteration) {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
    }

    /** One round on each side, the order alternating; returns the tokens so the work cannot be optimised away. */
    @Benchmark
    public long roundPair() throws InterruptedException {
        oursFirst = !oursFirst;
        Side first = oursFirst ? ours : anchor;
        Side second = oursFirst ? anchor : ours;
        return first.round(sessions, measuring) + second.round(sessions, measuring);
    }

    /** Publishes tokens/s and time to first token of each side's measured rounds, then unloads the models. */
    @TearDown(Level.Trial)
    public void unloadModel() {
        try {
            for (Side side : new Side[] {ours, anchor}) {
                if (side != null) publish(side.metrics());
            }
        } finally {
            if (ours != null) ours.generator().close();
            if (anchor != null) anchor.generator().close();
        }
    }

    private static void publish(TrialMetrics metrics) {
        double replies = metrics.get("replies");
        if (replies > 0) {
            metrics.value("tokensPerSecond", metrics.get("tokens") / (metrics.get("elapsedNanos") / 1e9))
                    .value("ttftMillis", metrics.get("ttftNanosSum") / replies / 1e6)
                    .value("tokensPerReply", metrics.get("tokens") / replies)
                    .value("piecesPerReply", metrics.get("pieces") / replies);
        }
        metrics.publish();
    }
}
