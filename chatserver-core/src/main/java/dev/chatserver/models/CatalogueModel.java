package dev.chatserver.models;

import java.net.URI;
import java.util.Objects;

/**
 * One downloadable model of the built-in {@link ModelCatalogue}: a GGUF file in a Hugging Face repository.
 *
 * <p>There is deliberately no checksum here: a download is checked against a SHA-256 the user gives or the one the
 * hub announces for the file at download time, never against one copied into source code.
 *
 * @param name            short name used on the command line, e.g. {@code qwen2.5-coder-1.5b}
 * @param description     one line for {@code model list}
 * @param repository      the Hugging Face repository, e.g. {@code Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF}
 * @param fileName        the file's name in the repository, also its default local name
 * @param approxSizeBytes the file's size in bytes as listed by the hub, rounded (for messages only)
 * @param architecture    the GGUF {@code general.architecture}, e.g. {@code qwen2} or {@code llama}
 * @param license         the model's license, as named by its publisher
 */
public record CatalogueModel(String name, String description, String repository, String fileName,
                             long approxSizeBytes, String architecture, String license) {

    /** Where Hugging Face serves files; mirrors serve the same paths under another address. */
    public static final URI HUGGING_FACE = URI.create("https://huggingface.co");

    /**
     * Checks the values.
     */
    public CatalogueModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(license, "license");
        if (approxSizeBytes <= 0) throw new IllegalArgumentException("size must be positive, was " + approxSizeBytes);
    }

    /** @return the file's download URL on Hugging Face */
    public URI url() {
        return url(HUGGING_FACE);
    }

    /**
     * @param hub the hub's address, e.g. {@code https://huggingface.co} or a mirror of it
     * @return {@code <hub>/<repository>/resolve/main/<file name>}, the hub's direct download form
     */
    public URI url(URI hub) {
        String base = hub.toString().endsWith("/") ? hub.toString() : hub + "/";
        return URI.create(base + repository + "/resolve/main/" + fileName);
    }
}
