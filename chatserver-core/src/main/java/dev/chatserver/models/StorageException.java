package dev.chatserver.models;

import java.nio.file.Path;

/** The download could not be written: disk full, directory not writable, or a file in the way. */
public final class StorageException extends DownloadException {

    private final transient Path path;

    /**
     * @param path    the file or directory involved
     * @param message the one-line message, naming the path
     * @param cause   the underlying failure, or {@code null}
     */
    StorageException(Path path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    /** @return the file or directory involved */
    public Path path() {
        return path;
    }
}
