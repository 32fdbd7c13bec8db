package dev.chatserver.cli;

import dev.chatserver.models.ByteSizes;
import dev.chatserver.models.CatalogueModel;
import dev.chatserver.models.DownloadException;
import dev.chatserver.models.ModelCatalogue;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The first start: {@code server} without {@code -m} and without {@code models/model.gguf} downloads the default
 * model there first, unless {@code --no-pull}. Runs on the main thread.
 */
final class DefaultModel {

    private DefaultModel() {
    }

    /**
     * Makes sure the default model file exists.
     *
     * @param target the server's default model file ({@code models/model.gguf})
     * @param noPull whether downloading is forbidden
     * @param out    where to report the download
     * @return {@code target}, present
     * @throws CommandFailure exit code 2 when the file is missing and {@code noPull}; exit code 1 when the download
     *                        fails, naming {@code model pull} and {@code -m} as the ways out
     */
    static Path ensure(Path target, boolean noPull, PrintWriter out) {
        if (Files.isRegularFile(target)) return target;
        if (noPull) {
            throw CommandFailure.usage("no model at " + target + " and --no-pull given: get one with "
                    + "'" + Main.commandName() + " model pull', or name a GGUF file with -m FILE");
        }
        CatalogueModel model = ModelCatalogue.defaultModel();
        out.println("No model at " + target + ": downloading the default model " + model.name() + " ("
                + model.description() + "), about " + ByteSizes.format(model.approxSizeBytes())
                + ", once (--no-pull never downloads; -m FILE serves another model)");
        out.flush();
        try {
            ModelPuller.pull(model.url(ModelPuller.hub()), target, Optional.empty(), out);
        } catch (DownloadException e) {
            throw CommandFailure.runtime("cannot download the default model: " + e.getMessage()
                    + "; try again with '" + Main.commandName() + " model pull', or serve a GGUF file you have with "
                    + "-m FILE", e);
        }
        return target;
    }
}
