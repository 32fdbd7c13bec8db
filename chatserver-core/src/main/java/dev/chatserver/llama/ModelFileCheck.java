package dev.chatserver.llama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Cheap checks of a model file before llama.cpp opens it: it exists, is a readable regular file, starts with the
 * GGUF magic and has a version llama.cpp b4916 reads (2 or 3). llama.cpp would refuse most of these too, but its
 * messages are vaguer ("failed to load model"), and a clear reason is what the user needs. Stateless.
 */
final class ModelFileCheck {

    /** "GGUF" read as a little-endian uint32. */
    private static final int GGUF_MAGIC = 0x46554747;

    private ModelFileCheck() {
    }

    /**
     * @param file a model file
     * @return why llama.cpp cannot load it, or empty when it may try
     */
    static Optional<String> problem(Path file) {
        if (!Files.exists(file)) return Optional.of("file not found");
        if (!Files.isRegularFile(file)) return Optional.of("not a regular file");
        if (!Files.isReadable(file)) return Optional.of("file is not readable");
        byte[] header = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(header, 0, header.length);
        } catch (IOException e) {
            return Optional.of("cannot read the file: " + e.getMessage());
        }
        if (n == 0) return Optional.of("file is empty");
        ByteBuffer buf = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (n < 4 || buf.getInt(0) != GGUF_MAGIC) return Optional.of("not a GGUF file (no GGUF magic at the start)");
        if (n < 8) return Optional.of("truncated GGUF file (" + n + " bytes)");
        int version = buf.getInt(4);
        if (version == 1) return Optional.of("GGUF version 1 is no longer supported; convert the model to GGUF v3");
        if (version != 2 && version != 3) return Optional.of("unsupported GGUF version " + Integer.toUnsignedString(version));
        return Optional.empty();
    }
}
