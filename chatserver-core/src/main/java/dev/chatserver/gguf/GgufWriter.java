package dev.chatserver.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a GGUF version 3 file: header, metadata in the given order, tensor infos, then each tensor's data
 * padded to the alignment ({@code general.alignment} when the metadata has it, else 32). The file is written as
 * {@code <file>.tmp} through one large buffer and then moved into place atomically, so readers never see a
 * partial file.
 *
 * <p>Stateless; {@link #write} runs on the caller's thread.
 */
public final class GgufWriter {
    private static final int BUFFER_BYTES = 8 << 20;

    private GgufWriter() {
    }

    /**
     * Writes a GGUF v3 file.
     *
     * @param file     where the file ends up (replaced if it exists)
     * @param metadata key/value pairs, written in iteration order (use an ordered map for a reproducible file)
     * @param tensors  tensors in file order; each one's data source is called once, in this order
     * @throws IllegalArgumentException if tensor names repeat or {@code general.alignment} is not a power of two
     * @throws IOException              if writing fails or a tensor source writes the wrong number of bytes;
     *                                  the temporary file is then deleted and {@code file} is left untouched
     */
    public static void write(Path file, Map<String, GgufValue> metadata, List<TensorSource> tensors)
            throws IOException {
        long alignment = alignment(metadata.get("general.alignment"));
        Set<String> names = new HashSet<>();
        for (TensorSource tensor : tensors) {
            if (!names.add(tensor.name())) {
                throw new IllegalArgumentException("duplicate tensor name " + tensor.name());
            }
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            new Output(channel).writeFile(metadata, tensors, alignment);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static long alignment(GgufValue value) {
        return GgufFile.alignmentOf(value).orElseThrow(() -> new IllegalArgumentException(
                "general.alignment must be a power of two stored as UINT32: " + value));
    }

    /** Buffered little-endian output to one channel; owned by the writing thread. */
    private static final class Output {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        /** Bytes handed to the channel so far. */
        private long flushed;

        Output(FileChannel channel) {
            this.channel = channel;
        }

        void writeFile(Map<String, GgufValue> metadata, List<TensorSource> tensors, long alignment)
                throws IOException {
            room(24);
            buffer.putInt(GgufReader.MAGIC).putInt(3).putLong(tensors.size()).putLong(metadata.size());
            for (Map.Entry<String, GgufValue> entry : metadata.entrySet()) {
                string(entry.getKey());
                room(4);
                buffer.putInt(entry.getValue().type().id());
                value(entry.getValue());
            }
            long offset = 0;
            for (TensorSource tensor : tensors) {
                string(tensor.name());
                room(4 + 8 * tensor.shape().size() + 4 + 8);
                buffer.putInt(tensor.shape().size());
                tensor.shape().forEach(buffer::putLong);
                buffer.putInt(tensor.type().id()).putLong(offset);
                offset = GgufReader.alignUp(offset + tensor.byteSize(), alignment);
            }
            pad(alignment);
            for (TensorSource tensor : tensors) {
                long start = position();
                CountingChannel sink = new CountingChannel();
                tensor.data().writeTo(sink);
                sink.open = false;
                long written = position() - start;
                if (written != tensor.byteSize()) {
                    throw new IOException("tensor " + tensor.name() + ": its source wrote " + written
                            + " bytes instead of " + tensor.byteSize());
                }
                pad(alignment);
            }
            flush();
        }

        private long position() {
            return flushed + buffer.position();
        }

        private void pad(long alignment) throws IOException {
            int padding = (int) (GgufReader.alignUp(position(), alignment) - position());
            room(padding);
            buffer.put(new byte[padding]);
        }

        private void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        private void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                flushed += channel.write(buffer);
            }
            buffer.clear();
        }

        private void string(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            room(8);
            buffer.putLong(bytes.length);
            bytes(ByteBuffer.wrap(bytes));
        }

        private void bytes(ByteBuffer source) throws IOException {
            while (source.hasRemaining()) {
                if (!buffer.hasRemaining()) {
                    flush();
                }
                int chunk = Math.min(source.remaining(), buffer.remaining());
                buffer.put(buffer.position(), source, source.position(), chunk);
                buffer.position(buffer.position() + chunk);
                source.position(source.position() + chunk);
            }
        }

        private void value(GgufValue value) throws IOException {
            room(8);
            switch (value) {
                case GgufValue.IntValue(var type, long v) -> {
                    switch (type) {
                        case UINT8, INT8 -> buffer.put((byte) v);
                        case UINT16, INT16 -> buffer.putShort((short) v);
                        case UINT32, INT32 -> buffer.putInt((int) v);
                        default -> buffer.putLong(v);
                    }
                }
                case GgufValue.FloatValue(var type, double v) -> {
                    if (type == GgufValueType.FLOAT32) {
                        buffer.putFloat((float) v);
                    } else {
                        buffer.putDouble(v);
                    }
                }
                case GgufValue.BoolValue(boolean v) -> buffer.put((byte) (v ? 1 : 0));
                case GgufValue.StringValue(String v) -> string(v);
                case GgufValue.ArrayValue(var elementType, var elements) -> {
                    room(12);
                    buffer.putInt(elementType.id()).putLong(elements.size());
                    for (GgufValue element : elements) {
                        value(element);
                    }
                }
            }
        }

        /** The channel a {@link TensorData} writes to: appends to the file through the buffer. */
        private final class CountingChannel implements WritableByteChannel {
            private boolean open = true;

            @Override
            public int write(ByteBuffer source) throws IOException {
                if (!open) {
                    throw new ClosedChannelException();
                }
                int count = source.remaining();
                bytes(source);
                return count;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        }
    }
}
