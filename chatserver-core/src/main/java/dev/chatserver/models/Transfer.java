package dev.chatserver.models;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Moves one URL's bytes into a {@link PartialFile}: follows redirects itself (to see the hub's announced checksum),
 * asks for the missing range when the file is partial, copes with servers that ignore or refuse the range, and
 * resumes at once when the connection drops after some progress.
 *
 * <p>Single use, confined to the thread that calls {@link #run()}.
 */
final class Transfer {

    private static final System.Logger LOG = System.getLogger(Transfer.class.getName());
    private static final int COPY_BUFFER = 64 * 1024;
    /** {@code Content-Range: bytes 100-999/1000} (206) or {@code bytes * /1000} (416, without the space). */
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(?:(\\d+)-\\d+|\\*)/(\\d+|\\*)");

    private final HttpClient client;
    private final URI url;
    private final PartialFile file;
    private final DownloadProgress progress;
    private final TransferSettings settings;
    private int retriesLeft;

    private Optional<String> announcedSha256 = Optional.empty();
    private long resumedFrom;

    Transfer(HttpClient client, URI url, PartialFile file, DownloadProgress progress, TransferSettings settings) {
        this.client = client;
        this.url = url;
        this.file = file;
        this.progress = progress;
        this.settings = settings;
        this.retriesLeft = settings.retries();
    }

    /** @return the SHA-256 the server announced for the file, if it did */
    Optional<String> announcedSha256() {
        return announcedSha256;
    }

    /** @return bytes taken over from an earlier partial file (0 when the file was downloaded from its start) */
    long resumedFrom() {
        return resumedFrom;
    }

    /**
     * Completes the partial file.
     *
     * @throws DownloadException when the file cannot be completed; the partial file is kept for a later resume
     */
    void run() throws DownloadException {
        while (true) {
            long before = file.size();
            try {
                attempt();
                return;
            } catch (ConnectionLost lost) {
                if (file.size() > before && retriesLeft > 0) {
                    retriesLeft--;
                    LOG.log(System.Logger.Level.DEBUG, "connection to {0} lost after {1} bytes; resuming",
                            url.getHost(), file.size());
                    continue;
                }
                throw new NetworkException(url.getHost(), lost.getMessage(), lost.getCause());
            }
        }
    }

    private void attempt() throws DownloadException, ConnectionLost {
        long offset = file.size();
        Hop hop = openFollowingRedirects(offset);
        HttpResponse<InputStream> response = hop.response();
        InputStream body = response.body();
        try {
            int status = response.statusCode();
            long total;
            switch (status) {
                case 200 -> {
                    if (offset > 0) {
                        LOG.log(System.Logger.Level.DEBUG, "{0} ignored the range request; starting again", hop.uri());
                        file.restart();
                    }
                    resumedFrom = 0;
                    total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                }
                case 206 -> {
                    Matcher range = contentRange(response);
                    if (range == null || range.group(1) == null || Long.parseLong(range.group(1)) != offset) {
                        // Bytes from somewhere else in the file: unusable, start from scratch (no Range next time).
                        file.restart();
                        attempt();
                        return;
                    }
                    total = "*".equals(range.group(2)) ? -1 : Long.parseLong(range.group(2));
                    if (resumedFrom == 0) resumedFrom = offset;
                    progress.resumed(offset);
                }
                case 416 -> {
                    Matcher range = contentRange(response);
                    if (range != null && !"*".equals(range.group(2)) && Long.parseLong(range.group(2)) == offset) {
                        // The partial file already holds the whole file: an earlier run stopped before renaming.
                        resumedFrom = offset;
                        progress.update(offset, offset, 0);
                        return;
                    }
                    file.restart();
                    attempt();
                    return;
                }
                case 404 -> throw new NotFoundException(url);
                default -> throw new HttpStatusException(status, hop.uri(), describe(status));
            }
            if (announcedSha256.isEmpty()) {
                announcedSha256 = response.headers().firstValue("ETag").flatMap(Sha256Hex::fromEtag);
            }
            ensureSpace(total - file.size());
            copy(body, total);
        } finally {
            closeQuietly(body);
        }
    }

    private static Matcher contentRange(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Content-Range");
        if (header.isEmpty()) return null;
        Matcher matcher = CONTENT_RANGE.matcher(header.get().strip());
        return matcher.matches() ? matcher : null;
    }

    private static String describe(int status) {
        return switch (status) {
            case 401, 403 -> "access denied (the model may need a login or a license agreement)";
            case 429 -> "too many requests, try again later";
            default -> status >= 500 ? "server error" : "unexpected answer";
        };
    }

    /** What the last request of a redirect chain answered, and where it was. */
    private record Hop(URI uri, HttpResponse<InputStream> response) {
    }

    private Hop openFollowingRedirects(long offset) throws DownloadException {
        URI current = url;
        for (int redirects = 0; ; redirects++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(settings.timeout()).GET()
                    .header("User-Agent", "chatserver-model-pull");
            if (offset > 0) request.header("Range", "bytes=" + offset + "-");
            HttpResponse<InputStream> response = send(request.build());
            int status = response.statusCode();
            if (!isRedirect(status)) return new Hop(current, response);
            closeQuietly(response.body());
            // Hugging Face names the file's SHA-256 here, on the redirect, and not on the CDN's answer.
            response.headers().firstValue("X-Linked-Etag").flatMap(Sha256Hex::fromEtag)
                    .ifPresent(sha -> announcedSha256 = Optional.of(sha));
            if (redirects >= settings.maxRedirects()) {
                throw new HttpStatusException(-1, url, "more than " + settings.maxRedirects() + " redirects");
            }
            current = redirectTarget(current, status, response);
            LOG.log(System.Logger.Level.DEBUG, "redirected ({0}) to {1}", status, current);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI redirectTarget(URI from, int status, HttpResponse<?> response) throws HttpStatusException {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new HttpStatusException(status, from, "redirect without a Location"));
        URI next;
        try {
            next = from.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new HttpStatusException(status, from, "redirect to an invalid address");
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && from.getScheme().equalsIgnoreCase("http"))) {
            throw new HttpStatusException(status, from, "refusing a redirect to " + next);
        }
        return next;
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws DownloadException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadInterruptedException(url.toString());
        } catch (IOException e) {
            throw unreachable(request.uri(), e);
        }
    }

    private NetworkException unreachable(URI uri, IOException e) {
        String host = uri.getHost();
        String where = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
        String message;
        if (hasCause(e, UnresolvedAddressException.class) || hasCause(e, UnknownHostException.class)) {
            message = "cannot resolve host " + host + " (no network, or DNS not working)";
        } else if (e instanceof HttpConnectTimeoutException) {
            message = "timed out connecting to " + where + " (no network?)";
        } else if (e instanceof HttpTimeoutException) {
            message = "no answer from " + where + " within " + settings.timeout().toSeconds() + " s";
        } else if (hasCause(e, ConnectException.class)) {
            message = "cannot connect to " + where + " (no network, or connection refused)";
        } else {
            message = "connection to " + where + " failed: " + e.getMessage();
        }
        return new NetworkException(host, message, e);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return true;
        }
        return false;
    }

    private void ensureSpace(long needed) throws DownloadException {
        if (needed <= 0) return;
        Path dir = file.path().toAbsolutePath().getParent();
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // unknown: writing will tell
        }
        if (free < needed) {
            throw new StorageException(dir, "not enough disk space in " + dir + ": need "
                    + ByteSizes.format(needed) + ", " + ByteSizes.format(free) + " free", null);
        }
    }

    private void copy(InputStream body, long total) throws DownloadException, ConnectionLost {
        byte[] buffer = new byte[COPY_BUFFER];
        long startNanos = System.nanoTime();
        long startBytes = file.size();
        long lastReport = startNanos;
        progress.update(file.size(), total, 0);
        StallWatch watch = StallWatch.start(body, settings.stallTimeout());
        try {
            while (true) {
                if (Thread.currentThread().isInterrupted()) throw new DownloadInterruptedException(url.toString());
                int read;
                try {
                    read = body.read(buffer);
                } catch (IOException e) {
                    report(total, startNanos, startBytes);
                    if (Thread.currentThread().isInterrupted()) throw new DownloadInterruptedException(url.toString());
                    throw new ConnectionLost(watch.stalled() ? stalledMessage() : lostMessage(), e);
                }
                if (read < 0) break;
                watch.dataArrived();
                file.append(buffer, 0, read);
                long now = System.nanoTime();
                if (now - lastReport >= settings.progressInterval().toNanos()) {
                    lastReport = now;
                    report(total, startNanos, startBytes);
                }
            }
        } finally {
            watch.stop();
        }
        report(total, startNanos, startBytes);
        if (total >= 0 && file.size() < total) throw new ConnectionLost(lostMessage(), null);
    }

    private String lostMessage() {
        return "connection to " + url.getHost() + " lost after " + ByteSizes.format(file.size()) + " of " + url
                + " (run again to resume)";
    }

    private String stalledMessage() {
        return "no data from " + url.getHost() + " for " + settings.stallTimeout().toSeconds() + " s after "
                + ByteSizes.format(file.size()) + " of " + url + " (run again to resume)";
    }

    private void report(long total, long startNanos, long startBytes) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double speed = seconds > 0 ? (file.size() - startBytes) / seconds : 0;
        progress.update(file.size(), total, speed);
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // Nothing more is read from this response.
        }
    }

    /** The connection ended or stalled before the file did; the message is the one-line user message. */
    private static final class ConnectionLost extends Exception {
        ConnectionLost(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
