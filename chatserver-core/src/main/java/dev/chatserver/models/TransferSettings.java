package dev.chatserver.models;

import java.time.Duration;

/**
 * How a {@link Transfer} talks to the server, as configured with {@link ModelDownloader.Builder}. Immutable.
 *
 * @param timeout          connect timeout, and how long a request may wait for the answer's headers
 * @param stallTimeout     how long a transfer may receive nothing before it counts as a lost connection
 * @param maxRedirects     redirects followed before giving up
 * @param retries          times a transfer that lost its connection after making progress is resumed at once
 * @param progressInterval least time between two progress updates
 */
record TransferSettings(Duration timeout, Duration stallTimeout, int maxRedirects, int retries,
                        Duration progressInterval) {
}
