package dev.chatserver.bench;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.nio.file.Path;

/**
 * What {@link ThroughputBenchmark} and {@link LongPromptBenchmark} share: the JMH parameters that choose the model,
 * the implementation and how it runs, and the creation of that implementation's {@link Generator}. The subclasses
 * are the JMH states (JMH wants the annotation here as well, for the parameters); JMH's benchmark thread runs every
 * method.
 */
@State(Scope.Benchmark)
public abstract class PeerBenchmark {

    /** A {@link BenchModels} name, or a GGUF file. */
    @Param({BenchModels.TINY})
    public String model;

    /** llama.cpp decode threads, the same for every implementation. */
    @Param({"1"})
    public int threads;

    /**
     * Our engine's {@code EngineConfig.batchInvariant}: true (the default) keeps answers independent of other
     * sessions (padding lone tokens on F32/F16 models, at most 62 prompt tokens a step, no repacked weights); false
     * measures the engine without it. The report shows the last trial of each model and parameter set, so run one
     * value at a time.
     */
    @Param({"true"})
    public boolean batchInvariant;

    /**
     * Which implementation this trial measures: {@value ReportWriter#OURS}, {@value ReportWriter#ANCHOR} or
     * {@value ReportWriter#NODE}.
     */
    @Param({ReportWriter.OURS, ReportWriter.ANCHOR, ReportWriter.NODE})
    public String impl;

    /** @return this trial's implementation with {@code file} loaded for {@code sessions} sessions */
    Generator generator(Path file, int sessions, int tokens, int contextPerSession) {
        return switch (impl) {
            case ReportWriter.OURS -> new EngineGenerator(file, sessions, tokens, threads, contextPerSession,
                    batchInvariant);
            case ReportWriter.ANCHOR -> new LlamaServerGenerator(file, sessions, tokens, threads, contextPerSession);
            case ReportWriter.NODE -> new NodeLlamaGenerator(file, sessions, tokens, threads, contextPerSession);
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }
}
