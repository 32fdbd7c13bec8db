package dev.chatserver.cli;

import dev.chatserver.models.ByteSizes;
import dev.chatserver.models.CatalogueModel;
import dev.chatserver.models.DownloadException;
import dev.chatserver.models.DownloadResult;
import dev.chatserver.models.ModelDownloader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One download as the CLI shows it (progress, how the file was verified, where it went), shared by
 * {@code model pull} and the first {@code server} start. Runs on the calling (main) thread.
 */
final class ModelPuller {

    /** Environment variable naming a Hugging Face mirror, as the hub's own tools read it. */
    static final String HUB_VARIABLE = "HF_ENDPOINT";

    private ModelPuller() {
    }

    /**
     * @return the hub catalogue models are fetched from: {@code $HF_ENDPOINT} when set, else Hugging Face
     * @throws CommandFailure (exit code 2) when the variable is not an http(s) address
     */
    static URI hub() {
        String endpoint = System.getenv(HUB_VARIABLE);
        if (endpoint == null || endpoint.isBlank()) return CatalogueModel.HUGGING_FACE;
        try {
            URI hub = URI.create(endpoint.strip());
            if (hub.getHost() != null && ("https".equals(hub.getScheme()) || "http".equals(hub.getScheme()))) {
                return hub;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw CommandFailure.usage(HUB_VARIABLE + " is not an http(s) address: " + endpoint);
    }

    /**
     * Downloads {@code url} to {@code target} and says how it went.
     *
     * @param sha256 the expected SHA-256, when the user gave one
     * @return the result
     * @throws DownloadException with a one-line message when the download fails
     */
    static DownloadResult pull(URI url, Path target, Optional<String> sha256, PrintWriter out)
            throws DownloadException {
        PullProgressPrinter progress = new PullProgressPrinter(out, PullProgressPrinter.stdoutIsTerminal());
        DownloadResult result;
        try {
            result = ModelDownloader.create().download(url, target, sha256, progress);
        } finally {
            progress.endLine();
        }
        out.println(switch (result.verification()) {
            case GIVEN_SHA256 -> "SHA-256 verified: " + result.sha256() + " (matches --sha256)";
            case ANNOUNCED_SHA256 -> "SHA-256 verified: " + result.sha256() + " (as announced by the server)";
            case UNVERIFIED -> "SHA-256 " + result.sha256() + " NOT verified: the server announced no checksum"
                    + " (compare it with the publisher's, or pass --sha256)";
        });
        out.println("Saved " + target + " (" + ByteSizes.format(result.sizeBytes()) + ")");
        out.flush();
        return result;
    }
}
