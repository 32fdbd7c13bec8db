package dev.chatserver.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chatserver model synth --out FILE ...}: writes a synthetic llama-architecture model with random weights. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a synthetic GGUF model (random weights, ChatML template) for tests and benchmarks.")
final class ModelSynthCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the model.")
    Path out;

    @Override
    public Integer call() throws Exception {
        throw CommandFailure.runtime("model synth is not available in this build", null);
    }
}
