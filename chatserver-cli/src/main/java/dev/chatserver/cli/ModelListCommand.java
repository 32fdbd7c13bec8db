package dev.chatserver.cli;

import dev.chatserver.models.ByteSizes;
import dev.chatserver.models.CatalogueModel;
import dev.chatserver.models.ModelCatalogue;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chatserver model list}: the built-in catalogue, which of its files are present in the models folder,
 * and the other GGUF files there. Runs on the main thread.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the models 'model pull' knows and the GGUF files present locally.")
final class ModelListCommand implements Callable<Integer> {

    private static final String ROW = "%-20s %-9s %-6s %-28s %s%n";

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "models",
            description = "The models folder (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(ROW, "NAME", "SIZE", "ARCH", "LICENSE", "LOCAL FILE");
        for (CatalogueModel model : ModelCatalogue.all()) {
            Path file = dir.resolve(model.fileName());
            String name = model.name() + (model.equals(ModelCatalogue.defaultModel()) ? " *" : "");
            out.printf(ROW, name, "~" + ByteSizes.format(model.approxSizeBytes()), model.architecture(),
                    model.license(), Files.isRegularFile(file) ? file : "-");
        }
        out.println("* the default: 'model pull' saves it as " + dir.resolve("model.gguf")
                + ", the file 'server' serves without -m");
        Path serverDefault = dir.resolve("model.gguf");
        out.println(Files.isRegularFile(serverDefault)
                ? serverDefault + ": present (" + ByteSizes.format(Files.size(serverDefault)) + ")"
                : serverDefault + ": missing ('" + Main.commandName() + " model pull' gets it; 'server' does on its "
                        + "first start)");
        List<Path> others = otherModels();
        if (!others.isEmpty()) {
            out.println("Other GGUF files in " + dir + ":");
            for (Path other : others) {
                out.println("  " + other + " (" + ByteSizes.format(Files.size(other)) + ")");
            }
        }
        out.flush();
        return 0;
    }

    private List<Path> otherModels() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        Set<String> known = ModelCatalogue.all().stream().map(CatalogueModel::fileName)
                .collect(Collectors.toCollection(HashSet::new));
        known.add("model.gguf");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".gguf"))
                    .filter(f -> !known.contains(f.getFileName().toString()))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
    }
}
