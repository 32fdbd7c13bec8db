package dev.chatserver.models;

import dev.chatserver.gguf.GgmlType;
import dev.chatserver.gguf.SyntheticModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Deterministic test content and checksums. */
final class TestBytes {

    private TestBytes() {
    }

    /** @return {@code size} pseudo-random bytes, the same for the same size */
    static byte[] of(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** @return the bytes of a synthetic llama-architecture GGUF model of about 2 MB (Q8_0 weights) */
    static byte[] syntheticModel() {
        try {
            Path file = Files.createTempFile("synthetic", ".gguf");
            try {
                SyntheticModel.builder().embd(256).feedForward(768).type(GgmlType.Q8_0).build().write(file);
                return Files.readAllBytes(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
