package dev.chatserver.models;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Downloads a model file over HTTP(S) safely: the bytes go to {@code <target>.part}, an interrupted download is
 * resumed from that file with an HTTP {@code Range} request, the whole file's SHA-256 is checked, and only then is
 * the file renamed atomically to the target. A partial or unverified-and-wrong file never appears under the target
 * name.
 *
 * <p>The checksum comes from the caller when given, otherwise from the server: Hugging Face announces the file's
 * SHA-256 in the {@code X-Linked-Etag} header of its redirect response, which is why redirects are followed here
 * rather than by the HTTP client. With neither, the result says {@link Verification#UNVERIFIED}.
 *
 * <p>Thread-safe: several downloads (to different targets) may run at once, each on its caller's thread.
 */
public interface ModelDownloader {

    /** @return a downloader with the default settings */
    static ModelDownloader create() {
        return builder().build();
    }

    /** @return a builder with the default settings */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Downloads {@code url} to {@code target}, resuming {@code <target>.part} when it exists.
     *
     * @param url            the file's URL ({@code http} or {@code https})
     * @param target         where the verified file goes; its directory is created when missing
     * @param expectedSha256 the file's SHA-256 (64 hex digits, any case) when known
     * @param progress       receives progress on this thread
     * @return what was downloaded and how it was verified
     * @throws DownloadException        with a one-line message when the download fails
     * @throws IllegalArgumentException when the URL is not HTTP(S) or the checksum is not 64 hex digits
     */
    DownloadResult download(URI url, Path target, Optional<String> expectedSha256, DownloadProgress progress)
            throws DownloadException;

    /** Settings of a {@link ModelDownloader}; not thread-safe. */
    final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(60);
        private int maxRedirects = 10;
        private int retries = 3;
        private Duration progressInterval = Duration.ofMillis(200);

        private Builder() {
        }

        /** @param timeout how long to wait for a connection and for response headers (default 30 s) @return this */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param timeout how long a transfer may receive nothing before it counts as a lost connection (default 60 s)
         * @return this
         */
        public Builder stallTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("stall timeout must be positive");
            }
            this.stallTimeout = timeout;
            return this;
        }

        /** @param redirects redirects followed before giving up (default 10) @return this */
        public Builder maxRedirects(int redirects) {
            if (redirects < 0) throw new IllegalArgumentException("max redirects must not be negative");
            this.maxRedirects = redirects;
            return this;
        }

        /**
         * @param retries times a transfer that lost its connection after making progress is resumed at once
         *                (default 3; 0 = fail and leave the partial file for a later run)
         * @return this
         */
        public Builder retries(int retries) {
            if (retries < 0) throw new IllegalArgumentException("retries must not be negative");
            this.retries = retries;
            return this;
        }

        /** @param interval least time between two progress updates (default 200 ms) @return this */
        public Builder progressInterval(Duration interval) {
            this.progressInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** @return a downloader with these settings */
        public ModelDownloader build() {
            return new HttpModelDownloader(
                    new TransferSettings(connectTimeout, stallTimeout, maxRedirects, retries, progressInterval));
        }
    }
}
