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
 * Time to first token for one long prompt: one session, a user message of about {@code promptTokens} prompt tokens
 * (fitted with each implementation's own tokenizer and template, {@link LongPrompt}), from sending it to the
 * reply's first text, for our {@code ChatEngine}, java-llama.cpp and node-llama-cpp, on the same model file, threads
 * and greedy sampling. Every iteration is one reply ({@code SingleShotTime}); JMH's score is the mean time of a
 * whole reply of {@code tokens} tokens, the time to first text and the prompt tokens each reply decoded go to
 * {@link TrialMetrics} ({@code ttft}, one line per trial).
 * <p>
 * The context is {@value #CONTEXT} tokens, or the model's training context when that is smaller; a prompt that
 * would not fit with the reply is cut to the largest that does (on stories260k, trained on 512 tokens, about
 * 500). As in {@link ThroughputBenchmark}, every implementation runs in a forked JVM of its own.
 * State of one trial; JMH's benchmark thread runs every method.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Djmh.shutdownTimeout=2"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class LongPromptBenchmark extends PeerBenchmark {

    /** Context of the one session in tokens, unless the model was trained on fewer. */
    static final int CONTEXT = 2048;

    /** Tokens kept free beyond the reply when a prompt is cut to the context (chat wrappers' own needs). */
    static final int MARGIN = 8;

    /** Prompt tokens wanted (less when the context is smaller, see the class comment). */
    @Param({"1000"})
    public int promptTokens;

    /** Tokens generated per reply. */
    @Param({"4"})
    public int tokens;

    private Generator generator;
    private LongPrompt.Fitted prompt;
    private TrialMetrics metrics;
    private boolean measuring;

    /** The prompt tokens aimed at: {@code wanted}, or what a context of {@code context} tokens leaves. */
    static int target(int wanted, int context, int replyTokens) {
        return Math.min(wanted, context - replyTokens - MARGIN);
    }

    /** The context for a model trained on {@code trainingContext} tokens (0: unknown). */
    static int context(long trainingContext) {
        return trainingContext > 0 ? (int) Math.min(CONTEXT, trainingContext) : CONTEXT;
    }

    /** Loads the model into this trial's implementation and fits the prompt to its tokenizer. */
    @Setup(Level.Trial)
    public void loadModel() {
        BenchLogging.quiet();
        var file = BenchModels.resolve(model);
        int context = context(ModelFacts.of(file).trainingContext());
        int target = target(promptTokens, context, tokens);
        generator = generator(file, 1, tokens, context);
        prompt = LongPrompt.fit(target, generator::promptTokens);
        metrics = new TrialMetrics("ttft").param("impl", impl).param("model", model)
                .param("promptTokens", promptTokens).param("tokens", tokens).param("threads", threads)
                .param("batchInvariant", Boolean.toString(batchInvariant))
                .value("context", context).value("targetTokens", target)
                .value("countedTokens", prompt.tokens()).value("words", prompt.words());
    }

    /** Remembers whether the coming iteration is measured (the warm-up reply is not counted). */
    @Setup(Level.Iteration)
    public void beginIteration(IterationParams iteration) {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
    }

    /** One reply to the long prompt; returns its tokens so the work cannot be optimised away. */
    @Benchmark
    public long reply() throws InterruptedException {
        RoundResult r = generator.round(1, prompt.text());
        if (measuring) {
            double ttft = r.ttftNanosSum() / 1e6;
            metrics.add("replies", r.replies()).add("tokens", r.tokens()).add("ttftMillisSum", ttft)
                    .add("elapsedNanos", r.elapsedNanos()).add("promptTokensSum", r.promptTokens())
                    .value("ttftMinMillis", Math.min(ttft, finite(metrics.get("ttftMinMillis"), ttft)))
                    .value("ttftMaxMillis", Math.max(ttft, finite(metrics.get("ttftMaxMillis"), ttft)));
        }
        return r.tokens();
    }

    private static double finite(double value, double otherwise) {
        return Double.isFinite(value) ? value : otherwise;
    }

    /** Publishes the mean time to first text and the decoded prompt size, then unloads the model. */
    @TearDown(Level.Trial)
    public void unloadModel() {
        if (generator == null) return;
        try {
            double replies = metrics.get("replies");
            if (replies > 0) {
                metrics.value("ttftMillis", metrics.get("ttftMillisSum") / replies)
                        .value("decodedTokens", metrics.get("promptTokensSum") / replies)
                        .value("tokensPerReply", metrics.get("tokens") / replies);
            }
            metrics.publish();
        } finally {
            generator.close();
        }
    }
}
