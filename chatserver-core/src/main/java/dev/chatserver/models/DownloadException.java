package dev.chatserver.models;

import java.io.IOException;

/**
 * Why a model download failed; the message is one line meant for a user (it names the URL, host, file or
 * checksums involved) and never needs a stack trace to be understood.
 */
public abstract sealed class DownloadException extends IOException
        permits NotFoundException, HttpStatusException, NetworkException, StorageException,
                ChecksumMismatchException, DownloadInterruptedException {

    /**
     * @param message the one-line message
     * @param cause   the underlying failure, or {@code null}
     */
    DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
