package dev.chatserver.models;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ModelDownloader} over {@link HttpClient}; each download runs on its caller's thread with its own client.
 * Immutable.
 */
final class HttpModelDownloader implements ModelDownloader {

    private static final System.Logger LOG = System.getLogger(HttpModelDownloader.class.getName());

    private final TransferSettings settings;

    HttpModelDownloader(TransferSettings settings) {
        this.settings = settings;
    }

    @Override
    public DownloadResult download(URI url, Path target, Optional<String> expectedSha256, DownloadProgress progress)
            throws DownloadException {
        Objects.requireNonNull(progress, "progress");
        requireHttp(url);
        Optional<String> given = expectedSha256.map(Sha256Hex::require);
        Path part = partFileOf(target);
        prepareDirectory(target);
        try (HttpClient client = HttpClient.newBuilder()
                // Redirects are followed by Transfer: the hub's checksum is only on the redirect response.
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout())
                .build();
             PartialFile file = PartialFile.open(part)) {
            Transfer transfer = new Transfer(client, url, file, progress, settings);
            try {
                transfer.run();
            } catch (DownloadException e) {
                if (file.size() == 0) file.delete(); // nothing worth resuming: leave no litter
                throw e;
            }
            String actual = file.sha256();
            Optional<String> expected = given.or(transfer::announcedSha256);
            if (expected.isPresent() && !expected.get().equals(actual)) {
                file.delete();
                throw new ChecksumMismatchException(url.toString(), expected.get(), actual);
            }
            Verification verification = given.isPresent() ? Verification.GIVEN_SHA256
                    : expected.isPresent() ? Verification.ANNOUNCED_SHA256 : Verification.UNVERIFIED;
            long size = file.size();
            file.commitTo(target);
            LOG.log(System.Logger.Level.DEBUG, "downloaded {0} to {1}: {2} bytes, {3}", url, target, size,
                    verification);
            return new DownloadResult(target, size, actual, verification, transfer.resumedFrom());
        }
    }

    /**
     * @param target a download's target
     * @return where its bytes collect until verified: {@code <target>.part}, in the same directory so that the
     *         final rename is atomic
     */
    static Path partFileOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    private static void requireHttp(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + url);
        }
    }

    private static void prepareDirectory(Path target) throws DownloadException {
        if (Files.isDirectory(target)) {
            throw new StorageException(target, "cannot download to " + target + ": it is a directory", null);
        }
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw PartialFile.storage(dir, "cannot create directory", e);
        }
    }
}
