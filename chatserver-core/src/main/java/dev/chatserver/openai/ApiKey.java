package dev.chatserver.openai;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * The server's API key and the check of an {@code Authorization} header against it. Immutable; any thread.
 *
 * <p>Accepted: {@code Bearer <key>} (API clients) and {@code Basic} credentials whose password is the key, with any
 * user name (what a browser sends after its login prompt, the WebSocket upgrade included). Comparison takes the same
 * time wherever the header differs.
 */
public final class ApiKey {

    private final byte[] key;

    private ApiKey(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param key the secret, not blank
     * @return the key
     * @throws IllegalArgumentException if it is blank
     */
    public static ApiKey of(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) throw new IllegalArgumentException("the API key must not be blank");
        return new ApiKey(key);
    }

    /**
     * @param authorization the {@code Authorization} header, or null when absent
     * @return true when it carries this key
     */
    public boolean accepts(String authorization) {
        if (authorization == null) return false;
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0) return false;
        String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
        String credentials = value.substring(space + 1).trim();
        return switch (scheme) {
            case "bearer" -> same(credentials.getBytes(StandardCharsets.UTF_8));
            case "basic" -> basicPassword(credentials);
            default -> false;
        };
    }

    private boolean basicPassword(String credentials) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(credentials);
        } catch (IllegalArgumentException e) {
            return false;
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon >= 0 && same(pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
    }

    private boolean same(byte[] given) {
        return MessageDigest.isEqual(key, given);
    }

    @Override
    public String toString() {
        return "ApiKey[hidden]";
    }
}
