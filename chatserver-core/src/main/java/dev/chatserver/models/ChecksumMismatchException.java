package dev.chatserver.models;

/**
 * The downloaded file's SHA-256 differs from the expected one; the partial file has been deleted and nothing was
 * written under the target name.
 */
public final class ChecksumMismatchException extends DownloadException {

    private final String expected;
    private final String actual;

    /**
     * @param url      what was downloaded
     * @param expected the expected SHA-256, lower-case hex
     * @param actual   the SHA-256 of the received bytes, lower-case hex
     */
    ChecksumMismatchException(String url, String expected, String actual) {
        super("checksum mismatch for " + url + ": expected SHA-256 " + expected + ", got " + actual
                + " (download deleted)", null);
        this.expected = expected;
        this.actual = actual;
    }

    /** @return the expected SHA-256, lower-case hex */
    public String expected() {
        return expected;
    }

    /** @return the SHA-256 of the received bytes, lower-case hex */
    public String actual() {
        return actual;
    }
}
