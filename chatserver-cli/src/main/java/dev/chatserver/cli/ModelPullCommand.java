package dev.chatserver.cli;

import dev.chatserver.models.ByteSizes;
import dev.chatserver.models.CatalogueModel;
import dev.chatserver.models.ModelCatalogue;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code chatserver model pull [NAME|URL] [--out FILE] [--sha256 HEX]}: downloads a catalogue model (default: the
 * default model, into {@code models/model.gguf} where {@code server} looks for it) or any GGUF URL, resuming a
 * partial download and verifying its SHA-256. Runs on the main thread.
 */
@Command(name = "pull", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download a GGUF model: a catalogue name (see 'model list') or an http(s) URL.",
                "Resumes an interrupted download; the file appears under its name only once its SHA-256 is "
                        + "verified (--sha256, else the checksum the hub announces)."})
final class ModelPullCommand implements Callable<Integer> {

    /** The models folder, relative to the working directory. */
    static final Path MODELS = Path.of("models");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME|URL",
            description = "Catalogue name or URL (default: " + ModelCatalogue.DEFAULT_NAME + ").")
    String source;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to save it (default: models/model.gguf for "
            + "the default model, else models/<file name>).")
    Path out;

    @Option(names = "--sha256", paramLabel = "HEX", description = "The file's expected SHA-256.")
    String sha256;

    @Option(names = "--force", description = "Download again even if FILE exists (it is replaced only when the new "
            + "file is verified).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        URI url;
        Path target;
        String what;
        if (source != null && source.contains("://")) {
            url = parseUrl(source);
            target = out != null ? out : MODELS.resolve(fileNameOf(url));
            what = url.toString();
        } else {
            CatalogueModel model = catalogueModel();
            url = model.url(ModelPuller.hub());
            target = out != null ? out : defaultTarget(model);
            what = model.name() + " (" + model.description() + ", about "
                    + ByteSizes.format(model.approxSizeBytes()) + ") from " + url;
        }
        if (Files.exists(target) && !force) {
            throw CommandFailure.usage(target + " already exists (use --force to download it again)");
        }
        console.println("Pulling " + what + " to " + target);
        console.flush();
        ModelPuller.pull(url, target, Optional.ofNullable(sha256), console);
        if (!target.equals(ServerCommand.DEFAULT_MODEL)) {
            console.println("Serve it with: " + Main.commandName() + " server -m " + target);
            console.flush();
        }
        return 0;
    }

    /** @return where a catalogue model goes when no {@code --out} is given */
    static Path defaultTarget(CatalogueModel model) {
        return model.equals(ModelCatalogue.defaultModel()) ? ServerCommand.DEFAULT_MODEL
                : MODELS.resolve(model.fileName());
    }

    private CatalogueModel catalogueModel() {
        if (source == null) return ModelCatalogue.defaultModel();
        return ModelCatalogue.find(source).orElseThrow(() -> CommandFailure.usage("unknown model '" + source
                + "' (known: " + ModelCatalogue.all().stream().map(CatalogueModel::name)
                .collect(Collectors.joining(", ")) + "; or give an http(s) URL)"));
    }

    private static URI parseUrl(String text) {
        try {
            URI url = URI.create(text);
            if (url.getHost() != null && ("https".equals(url.getScheme()) || "http".equals(url.getScheme()))) {
                return url;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw CommandFailure.usage("not an http(s) URL: " + text);
    }

    private static String fileNameOf(URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty() || name.equals("..") || name.equals(".")) {
            throw CommandFailure.usage("cannot tell a file name from " + url + "; name one with --out FILE");
        }
        return name;
    }
}
