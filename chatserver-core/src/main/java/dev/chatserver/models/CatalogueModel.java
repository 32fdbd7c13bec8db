package dev.chatserver.models;

import java.net.URI;
import java.util.Objects;

/**
 * One downloadable model of the built-in {@link ModelCatalogue}.
 *
 * <p>There is deliberately no checksum here: the only SHA-256 a download is checked against is one the user gives
 * or the one the hub announces for the file at download time.
 *
 * @param name              short name used on the command line, e.g. {@code qwen2.5-coder-1.5b}
 * @param description       one line for {@code model list}
 * @param fileName          the file's name on the hub, also the default local file name
 * @param url               where the file is downloaded from
 * @param approxSizeBytes   the file's size in bytes as listed by the hub, approximate (used for messages only)
 * @param architecture      the GGUF {@code general.architecture}, e.g. {@code qwen2} or {@code llama}
 * @param license           the model's license, as named by its publisher
 */
public record CatalogueModel(String name, String description, String fileName, URI url, long approxSizeBytes,
                             String architecture, String license) {

    /**
     * Checks the values.
     */
    public CatalogueModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(license, "license");
        if (approxSizeBytes <= 0) throw new IllegalArgumentException("size must be positive, was " + approxSizeBytes);
    }
}
