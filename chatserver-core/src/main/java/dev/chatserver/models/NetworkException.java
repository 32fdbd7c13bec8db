package dev.chatserver.models;

/**
 * The server could not be reached (no network, DNS failure, refused or timed-out connection) or the connection
 * was lost mid-file; the partial file is kept so that running the download again resumes it.
 */
public final class NetworkException extends DownloadException {

    private final String host;

    /**
     * @param host    the host that could not be reached
     * @param message the one-line message, naming the host
     * @param cause   the underlying failure
     */
    NetworkException(String host, String message, Throwable cause) {
        super(message, cause);
        this.host = host;
    }

    /** @return the host that could not be reached */
    public String host() {
        return host;
    }
}
