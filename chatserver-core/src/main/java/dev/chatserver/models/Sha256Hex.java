package dev.chatserver.models;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Recognises SHA-256 checksums written as 64 hex digits. Stateless. */
final class Sha256Hex {

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private Sha256Hex() {
    }

    /**
     * @param text a checksum as a user typed it
     * @return it in lower case
     * @throws IllegalArgumentException when it is not 64 hex digits
     */
    static String require(String text) {
        String hex = text.strip().toLowerCase(Locale.ROOT);
        if (!HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a SHA-256 (64 hex digits): " + text);
        }
        return hex;
    }

    /**
     * Reads an entity tag that may carry a SHA-256, such as Hugging Face's {@code X-Linked-Etag: "<sha256>"}.
     *
     * @param etag a header value, possibly weak ({@code W/}) and quoted
     * @return the SHA-256 in lower case, or empty when the tag is something else (e.g. an MD5)
     */
    static Optional<String> fromEtag(String etag) {
        String tag = etag.strip();
        if (tag.startsWith("W/")) tag = tag.substring(2);
        if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) tag = tag.substring(1, tag.length() - 1);
        tag = tag.toLowerCase(Locale.ROOT);
        return HEX64.matcher(tag).matches() ? Optional.of(tag) : Optional.empty();
    }
}
