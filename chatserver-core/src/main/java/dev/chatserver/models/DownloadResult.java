package dev.chatserver.models;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A finished download.
 *
 * @param file         where the file now is (the requested target)
 * @param sizeBytes    its size in bytes
 * @param sha256       its SHA-256, lower-case hex
 * @param verification what the SHA-256 was checked against
 * @param resumedFrom  bytes taken over from an earlier partial file (0 when the download started fresh)
 */
public record DownloadResult(Path file, long sizeBytes, String sha256, Verification verification, long resumedFrom) {

    /**
     * Checks the values.
     */
    public DownloadResult {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(verification, "verification");
    }
}
