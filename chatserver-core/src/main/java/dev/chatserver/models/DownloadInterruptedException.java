package dev.chatserver.models;

/**
 * The downloading thread was interrupted; the partial file is kept so that running the download again resumes it.
 * The thread's interrupt flag is set again when this is thrown.
 */
public final class DownloadInterruptedException extends DownloadException {

    /** @param what what was being downloaded */
    DownloadInterruptedException(String what) {
        super("download interrupted: " + what + " (run it again to resume)", null);
    }
}
