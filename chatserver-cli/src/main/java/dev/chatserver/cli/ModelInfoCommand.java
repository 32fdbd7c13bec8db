package dev.chatserver.cli;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.ModelSummary;
import dev.chatserver.llama.LlamaException;
import dev.chatserver.llama.LlamaRuntime;
import dev.chatserver.models.ByteSizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code chatserver model info FILE}: what a GGUF file holds, read from its header (no weights are loaded), and the
 * llama.cpp that would run it (the native library is opened for that, nothing more). Runs on the main thread.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a GGUF model's name, architecture, size, context length and vocabulary.")
final class ModelInfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The GGUF file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        ModelSummary model = ModelSummary.of(file);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("file:           %s%n", file);
        out.printf("name:           %s%n", model.name());
        out.printf("architecture:   %s%n", model.architecture());
        out.printf("parameters:     %s (%s)%n", grouped(model.parameterCount()),
                HumanUnits.count(model.parameterCount()));
        out.printf("file size:      %s bytes (%s)%n", grouped(model.fileSize()),
                ByteSizes.format(model.fileSize()));
        out.printf("weights:        %s%n", model.mainTensorType().map(GgmlType::name).orElse("none"));
        out.printf("context length: %s%n", model.contextLength() > 0 ? model.contextLength() + " tokens" : "unknown");
        out.printf("vocabulary:     %s%n", model.vocabularySize() > 0 ? model.vocabularySize() + " tokens" : "unknown");
        out.printf("chat template:  %s%n", model.chatTemplatePresent() ? "yes" : "no (ChatML is used)");
        out.printf("runtime:        %s%n", runtime());
        out.flush();
        return 0;
    }

    /** The llama.cpp that would run the model; a library that cannot be loaded is said, not an error here. */
    private static String runtime() {
        try {
            return LlamaRuntime.current().describe();
        } catch (LlamaException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }

    private static String grouped(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
