package dev.chatserver.gguf;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * Streams the bytes of one tensor, so that a writer never holds a whole model in memory.
 *
 * <p>Called once, on the thread running {@link GgufWriter#write}.
 */
@FunctionalInterface
public interface TensorData {
    /**
     * Writes the tensor's bytes (exactly its {@link TensorSource#byteSize()}, in ggml layout, little-endian)
     * to {@code out}, in as many chunks as convenient.
     */
    void writeTo(WritableByteChannel out) throws IOException;
}
