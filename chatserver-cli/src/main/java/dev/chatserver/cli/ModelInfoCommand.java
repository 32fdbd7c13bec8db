package dev.chatserver.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code chatserver model info FILE}: what a GGUF file holds, read from its header (no weights are loaded). */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a GGUF model's name, architecture, size, context length and vocabulary.")
final class ModelInfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The GGUF file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        throw CommandFailure.runtime("model info is not available in this build", null);
    }
}
