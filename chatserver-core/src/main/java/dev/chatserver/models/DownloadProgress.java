package dev.chatserver.models;

/**
 * Receives a download's progress; called on the downloading thread, a few times a second at most and once at the
 * end of each transfer, so it may print without throttling itself.
 */
@FunctionalInterface
public interface DownloadProgress {

    /**
     * The transfer advanced.
     *
     * @param bytesDone      bytes in the partial file so far, including a resumed prefix
     * @param totalBytes     the file's full size, or {@code -1} when the server did not say
     * @param bytesPerSecond average speed of this transfer (the resumed prefix is not counted), bytes per second
     */
    void update(long bytesDone, long totalBytes, double bytesPerSecond);

    /**
     * The download continues a partial file from an earlier attempt instead of starting again.
     *
     * @param fromByte the number of bytes already present
     */
    default void resumed(long fromByte) {
    }

    /** @return a listener that ignores everything */
    static DownloadProgress none() {
        return (done, total, speed) -> { };
    }
}
