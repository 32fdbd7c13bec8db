package dev.chatserver.cli;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.SyntheticModel;
import dev.chatserver.models.ByteSizes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chatserver model synth --out FILE ...}: writes a synthetic llama-architecture model (seeded random weights,
 * ChatML template) that llama.cpp loads, for tests and benchmarks. Each shape option overrides the preset. Runs on
 * the main thread.
 */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a synthetic GGUF model (random weights, ChatML template) for tests and benchmarks.")
final class ModelSynthCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the model.")
    Path out;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Option(names = "--preset", defaultValue = "tiny", paramLabel = "NAME",
            description = "Starting shape: tiny (about 820 kB) or qwen2.5-1.5b (its shape in Q8_0, about 1.9 GB; "
                    + "about 1.0 GB with --type q4_k). "
                    + "Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--arch", paramLabel = "NAME",
            description = "Architecture: llama (the default) or qwen3 (adds per-head query and key norms).")
    String architecture;

    @Option(names = "--vocab", paramLabel = "N", description = "Vocabulary size.")
    Integer vocab;

    @Option(names = "--embd", paramLabel = "N", description = "Embedding size.")
    Integer embd;

    @Option(names = "--layers", paramLabel = "N", description = "Transformer blocks.")
    Integer layers;

    @Option(names = "--heads", paramLabel = "N", description = "Attention heads.")
    Integer heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads.")
    Integer kvHeads;

    @Option(names = "--ff", paramLabel = "N", description = "Feed-forward size.")
    Integer feedForward;

    @Option(names = "--ctx", paramLabel = "N", description = "Training context length in tokens.")
    Integer context;

    @Option(names = "--type", paramLabel = "TYPE", description = "Weight type of the matrices (norms are F32): "
            + "${COMPLETION-CANDIDATES}, in any case. Q8_0 needs --embd and --ff to be multiples of 32, Q4_K (all "
            + "matrices Q4_K, the nearest to Q4_K_M) multiples of 256.")
    WeightType type;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the weights.")
    Long seed;

    @Option(names = "--name", paramLabel = "TEXT", description = "The model's general.name.")
    String name;

    @Override
    public Integer call() throws Exception {
        SyntheticModel model = shape();
        if (Files.exists(out) && !force) {
            throw CommandFailure.usage(out + " already exists (use --force to replace it)");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        model.write(out);
        PrintWriter console = spec.commandLine().getOut();
        console.printf("Wrote %s: %s, %s parameters, %s%n", out, model.name(),
                HumanUnits.count(model.parameterCount()), ByteSizes.format(Files.size(out)));
        console.flush();
        return 0;
    }

    /** The weight types a synthetic model can have. */
    enum WeightType {
        F32(GgmlType.F32), F16(GgmlType.F16), Q8_0(GgmlType.Q8_0), Q4_K(GgmlType.Q4_K);

        final GgmlType ggml;

        WeightType(GgmlType ggml) {
            this.ggml = ggml;
        }
    }

    private SyntheticModel shape() {
        SyntheticModel.Builder builder = switch (preset) {
            case "tiny" -> SyntheticModel.builder();
            case "qwen2.5-1.5b" -> SyntheticModel.qwen25_1_5bShape().toBuilder();
            default -> throw CommandFailure.usage("unknown --preset '" + preset + "' (known: tiny, qwen2.5-1.5b)");
        };
        if (vocab != null) builder.vocab(vocab);
        if (embd != null) builder.embd(embd);
        if (layers != null) builder.layers(layers);
        if (heads != null) builder.heads(heads);
        if (kvHeads != null) builder.kvHeads(kvHeads);
        if (feedForward != null) builder.feedForward(feedForward);
        if (context != null) builder.context(context);
        if (type != null) builder.type(type.ggml);
        if (seed != null) builder.seed(seed);
        if (name != null) builder.name(name);
        if (architecture != null) {
            if (!SyntheticModel.ARCHITECTURES.contains(architecture)) {
                throw CommandFailure.usage("unknown --arch '" + architecture + "' (known: "
                        + String.join(", ", SyntheticModel.ARCHITECTURES) + ")");
            }
            builder.architecture(architecture);
        }
        return builder.build(); // an inconsistent shape is an IllegalArgumentException: exit code 2
    }
}
