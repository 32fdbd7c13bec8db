package dev.chatserver.models;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Deterministic test content and its checksum. */
final class TestBytes {

    private TestBytes() {
    }

    /** @return {@code size} pseudo-random bytes, the same for the same size */
    static byte[] of(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** @return the SHA-256 of {@code bytes}, lower-case hex */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
