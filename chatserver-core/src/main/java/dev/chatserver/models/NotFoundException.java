package dev.chatserver.models;

import java.net.URI;

/** The server answered HTTP 404 for a URL: the model name, repository or file name is wrong. */
public final class NotFoundException extends DownloadException {

    private final transient URI url;

    /** @param url the URL that was not found */
    NotFoundException(URI url) {
        super("not found (HTTP 404): " + url, null);
        this.url = url;
    }

    /** @return the URL that was not found */
    public URI url() {
        return url;
    }
}
