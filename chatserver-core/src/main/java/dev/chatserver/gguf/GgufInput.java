package dev.chatserver.gguf;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Buffered little-endian reads from the start of a file channel, tracking the absolute position.
 * Running out of file throws {@link EOFException}; the caller turns it into a message naming the part being read.
 *
 * <p>Not thread-safe: used by the one thread running {@link GgufReader#read}.
 */
final class GgufInput {
    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel channel;
    private final long size;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN).limit(0);
    /** Absolute file position of {@code buffer}'s index 0. */
    private long bufferStart;

    GgufInput(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    /** Bytes in the file. */
    long size() {
        return size;
    }

    /** Absolute position of the next byte to read. */
    long position() {
        return bufferStart + buffer.position();
    }

    /** Bytes from the current position to the end of the file. */
    long remaining() {
        return size - position();
    }

    /** @return the buffer, refilled if needed so that at least {@code bytes} unread bytes follow its position */
    private ByteBuffer need(int bytes) throws IOException {
        if (buffer.remaining() >= bytes) {
            return buffer;
        }
        bufferStart += buffer.position();
        buffer.compact();
        while (buffer.position() < bytes) {
            if (channel.read(buffer, bufferStart + buffer.position()) < 0) {
                buffer.flip();
                throw new EOFException();
            }
        }
        buffer.flip();
        return buffer;
    }

    int u8() throws IOException {
        return need(1).get() & 0xFF;
    }

    short i16() throws IOException {
        return need(2).getShort();
    }

    int i32() throws IOException {
        return need(4).getInt();
    }

    long u32() throws IOException {
        return i32() & 0xFFFF_FFFFL;
    }

    long i64() throws IOException {
        return need(8).getLong();
    }

    float f32() throws IOException {
        return need(4).getFloat();
    }

    double f64() throws IOException {
        return need(8).getDouble();
    }

    /** Reads {@code length} bytes (which the caller has checked against {@link #remaining()}). */
    byte[] bytes(int length) throws IOException {
        byte[] result = new byte[length];
        int done = 0;
        while (done < length) {
            if (!buffer.hasRemaining()) {
                need(1);
            }
            int chunk = Math.min(buffer.remaining(), length - done);
            buffer.get(result, done, chunk);
            done += chunk;
        }
        return result;
    }
}
