package dev.chatserver.models;

import java.net.URI;

/**
 * The server answered with a status the download cannot go on from (401, 403, 5xx, a redirect loop, ...).
 */
public final class HttpStatusException extends DownloadException {

    private final int status;

    /**
     * @param status the HTTP status, or {@code -1} when the problem is not one status (e.g. too many redirects)
     * @param url    the URL that answered
     * @param what   what went wrong, in a few words
     */
    HttpStatusException(int status, URI url, String what) {
        super(what + (status > 0 ? " (HTTP " + status + ")" : "") + ": " + url, null);
        this.status = status;
    }

    /** @return the HTTP status, or {@code -1} when the problem was not a single status */
    public int status() {
        return status;
    }
}
