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
 * {@code ChatEngine} ({@code impl=ours}, llama.cpp v0.5.0 through FFM) or java-llama.cpp ({@code impl=llamacpp},
 * {@code de.kherud:llama}: llama.cpp b4916's own server loop behind JNI) or node-llama-cpp ({@code impl=node}: the
 * same v0.5.0 natives as ours, its own batching, in a Node.js process), same model file, threads, context per
 * session and greedy sampling.
 * <p>
 * Every value of {@code impl} is a trial of its own in a forked JVM: the two carry different llama.cpp builds, which
 * must never be loaded into one process. In a round every session gets the same prompt at the same moment and the
 * round ends when the last reply is complete; an iteration runs rounds back to back for its time (at least one), so
 * the tiny model gets many rounds and a warm JIT while a big one still fits. JMH's score is the mean time of a round;
 * tokens/s (all tokens of the measured rounds over their summed time) and the mean time to first token go to
 * {@link TrialMetrics}, one line per trial.
 * State of one trial; JMH's benchmark thread runs every method.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Djmh.shutdownTimeout=2"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class ThroughputBenchmark extends PeerBenchmark {

    /** The prompt every session sends. */
    static final String PROMPT = "Tell me a story about a little robot who learns to paint.";

    /** Context per session in tokens, for us and (times sessions) for the anchor. */
    static final int CONTEXT_PER_SESSION = 512;

    /** Concurrent sessions (slots). */
    @Param({"1", "2", "4", "8"})
    public int sessions;

    /** Tokens generated per reply. */
    @Param({"32"})
    public int tokens;

    private Side side;
    private boolean measuring;

    /** One implementation and what its measured rounds produced. */
    private record Side(Generator generator, TrialMetrics metrics) {
        long round(int sessions, boolean measuring) throws InterruptedException {
            RoundResult r = generator.round(sessions, PROMPT);
            if (measuring) {
                metrics.add("rounds", 1).add("replies", r.replies()).add("tokens", r.tokens())
                        .add("pieces", r.pieces()).add("elapsedNanos", r.elapsedNanos())
                        .add("ttftNanosSum", r.ttftNanosSum()).add("promptTokens", r.promptTokens());
            }
            return r.tokens();
        }
    }

    /** Loads the model into this trial's implementation. */
    @Setup(Level.Trial)
    public void loadModel() {
        BenchLogging.quiet();
        var file = BenchModels.resolve(model);
        side = new Side(generator(file, sessions, tokens, CONTEXT_PER_SESSION), metrics(impl));
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

    /** One round; returns the tokens so the work cannot be optimised away. */
    @Benchmark
    public long round() throws InterruptedException {
        return side.round(sessions, measuring);
    }

    /** Publishes tokens/s and time to first token of the measured rounds, then unloads the model. */
    @TearDown(Level.Trial)
    public void unloadModel() {
        if (side == null) return;
        try {
            publish(side.metrics());
        } finally {
            side.generator().close();
        }
    }

    private static void publish(TrialMetrics metrics) {
        double replies = metrics.get("replies");
        if (replies > 0) {
            metrics.value("tokensPerSecond", metrics.get("tokens") / (metrics.get("elapsedNanos") / 1e9))
                    .value("ttftMillis", metrics.get("ttftNanosSum") / replies / 1e6)
                    .value("tokensPerReply", metrics.get("tokens") / replies)
                    .value("piecesPerReply", metrics.get("pieces") / replies)
                    .value("promptTokensPerReply", metrics.get("promptTokens") / replies);
        }
        metrics.publish();
    }
}
