package dev.chatserver.gguf;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the header, metadata and tensor directory of a GGUF file (versions 2 and 3, little-endian), never the
 * tensor data. Every count and length is checked against the bytes left in the file before anything is
 * allocated, so a corrupt file gives a {@link GgufFormatException} rather than an {@link OutOfMemoryError}.
 *
 * <p>Stateless; {@link #read(Path)} runs on the caller's thread and may be called from any number of threads.
 */
public final class GgufReader {
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x4655_4747;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMENSIONS = 4;
    /** Longest string we accept (a chat template is a few KiB; a token a few bytes). */
    static final int MAX_STRING_BYTES = 16 << 20;
    /** Deepest array nesting we accept. */
    private static final int MAX_ARRAY_DEPTH = 4;
    /** Smallest possible tensor info: name length, one dimension count, type, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
    /** Smallest possible key/value: key length, value type, a one-byte value. */
    private static final int MIN_KEY_VALUE_BYTES = 8 + 4 + 1;

    private GgufReader() {
    }

    /**
     * Reads a GGUF file's header, metadata and tensor infos and checks that every tensor's data lies inside
     * the file.
     *
     * @throws GgufFormatException if the file is missing, unreadable, not GGUF, of version 1 or an unknown
     *                             version, truncated, or holds impossible values; the message names the file
     *                             and the part being read
     */
    public static GgufFile read(Path file) throws GgufFormatException {
        if (Files.isDirectory(file)) {
            throw new GgufFormatException(file, "is a directory, not a GGUF file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Parse(file, new GgufInput(channel, channel.size())).file();
        } catch (NoSuchFileException e) {
            throw new GgufFormatException(file, "no such file");
        } catch (AccessDeniedException e) {
            throw new GgufFormatException(file, "permission denied");
        } catch (GgufFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new GgufFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** One parse of one file; {@code part} names what is being read for error messages. */
    private static final class Parse {
        private final Path file;
        private final GgufInput in;
        private final long size;
        private String part = "header";

        Parse(Path file, GgufInput in) {
            this.file = file;
            this.in = in;
            this.size = in.size();
        }

        private GgufFormatException fail(String reason) {
            return new GgufFormatException(file, reason);
        }

        GgufFile file() throws IOException {
            try {
                return parse();
            } catch (EOFException e) {
                throw fail("truncated in the " + part + " (file has only " + size + " bytes)");
            }
        }

        private GgufFile parse() throws IOException {
            if (size < 4) {
                throw fail("not a GGUF file (" + (size == 0 ? "empty" : "only " + size + " bytes") + ")");
            }
            int magic = in.i32();
            if (magic != MAGIC) {
                throw fail("not a GGUF file (starts with " + describeMagic(magic) + " instead of \"GGUF\")");
            }
            long version = in.u32();
            if (version == 1) {
                throw fail("GGUF version 1 is not supported (only versions 2 and 3)");
            }
            if (version != 2 && version != 3) {
                throw fail("unsupported GGUF version " + version + " (only 2 and 3, little-endian)");
            }
            long tensorCount = in.i64();
            long keyValueCount = in.i64();
            checkCount(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count");
            checkCount(keyValueCount, MIN_KEY_VALUE_BYTES, "metadata entry count");

            Map<String, GgufValue> metadata = new LinkedHashMap<>();
            for (long i = 0; i < keyValueCount; i++) {
                part = "key of metadata entry " + i;
                String key = string();
                part = "value of metadata entry " + i + " (\"" + key + "\")";
                GgufValue value = value(valueType(), 0);
                if (metadata.putIfAbsent(key, value) != null) {
                    throw fail("duplicate metadata key \"" + key + "\"");
                }
            }
            long alignment = alignment(metadata.get("general.alignment"));

            List<GgufTensorInfo> tensors = new ArrayList<>((int) tensorCount);
            Set<String> names = new HashSet<>();
            for (long i = 0; i < tensorCount; i++) {
                part = "info of tensor " + i;
                GgufTensorInfo tensor = tensorInfo(alignment);
                if (!names.add(tensor.name())) {
                    throw fail("duplicate tensor name \"" + tensor.name() + "\"");
                }
                tensors.add(tensor);
            }
            long dataOffset = alignUp(in.position(), alignment);
            for (GgufTensorInfo tensor : tensors) {
                long end;
                try {
                    end = Math.addExact(Math.addExact(dataOffset, tensor.offset()), tensor.byteSize());
                } catch (ArithmeticException e) {
                    throw fail("tensor \"" + tensor.name() + "\" has an absurd size " + tensor.shape());
                }
                if (end > size) {
                    throw fail("truncated in the tensor data (tensor \"" + tensor.name() + "\" ends at byte " + end
                            + " but the file has only " + size + " bytes)");
                }
            }
            return new GgufFile((int) version, metadata, tensors, alignment, dataOffset);
        }

        /** Refuses counts that are negative or huge, or that the rest of the file cannot hold. */
        private void checkCount(long count, int minBytesEach, String what) throws GgufFormatException {
            if (count < 0 || count > Integer.MAX_VALUE - 8) {
                throw fail("absurd " + what + " " + Long.toUnsignedString(count) + " in the " + part);
            }
            if (count > in.remaining() / minBytesEach) {
                throw fail("truncated in the " + part + " (" + what + " " + count + " needs at least "
                        + count * minBytesEach + " bytes, only " + in.remaining() + " of " + size + " remain)");
            }
        }

        private String string() throws IOException {
            long length = in.i64();
            if (length < 0 || length > MAX_STRING_BYTES) {
                throw fail("absurd string length " + Long.toUnsignedString(length) + " in the " + part
                        + " at byte " + (in.position() - 8));
            }
            if (length > in.remaining()) {
                throw fail("truncated in the " + part + " (a string of " + length + " bytes at byte "
                        + (in.position() - 8) + ", file has " + size + " bytes)");
            }
            return new String(in.bytes((int) length), StandardCharsets.UTF_8);
        }

        private GgufValueType valueType() throws IOException {
            long id = in.u32();
            return GgufValueType.byId(id).orElseThrow(() -> fail("unknown value type " + id + " in the " + part));
        }

        private GgufValue value(GgufValueType type, int depth) throws IOException {
            return switch (type) {
                case UINT8 -> new GgufValue.IntValue(type, in.u8());
                case INT8 -> new GgufValue.IntValue(type, (byte) in.u8());
                case UINT16 -> new GgufValue.IntValue(type, in.i16() & 0xFFFF);
                case INT16 -> new GgufValue.IntValue(type, in.i16());
                case UINT32 -> new GgufValue.IntValue(type, in.u32());
                case INT32 -> new GgufValue.IntValue(type, in.i32());
                case UINT64, INT64 -> new GgufValue.IntValue(type, in.i64());
                case FLOAT32 -> new GgufValue.FloatValue(type, in.f32());
                case FLOAT64 -> new GgufValue.FloatValue(type, in.f64());
                case BOOL -> {
                    int b = in.u8();
                    if (b > 1) {
                        throw fail("boolean byte " + b + " in the " + part);
                    }
                    yield new GgufValue.BoolValue(b == 1);
                }
                case STRING -> new GgufValue.StringValue(string());
                case ARRAY -> array(depth);
            };
        }

        private GgufValue array(int depth) throws IOException {
            if (depth >= MAX_ARRAY_DEPTH) {
                throw fail("arrays nested more than " + MAX_ARRAY_DEPTH + " deep in the " + part);
            }
            GgufValueType elementType = valueType();
            long count = in.i64();
            checkCount(count, elementType.minBytes(), "array length");
            List<GgufValue> elements = new ArrayList<>((int) count);
            for (long i = 0; i < count; i++) {
                elements.add(value(elementType, depth + 1));
            }
            return new GgufValue.ArrayValue(elementType, elements);
        }

        private long alignment(GgufValue value) throws GgufFormatException {
            return GgufFile.alignmentOf(value).orElseThrow(
                    () -> fail("general.alignment must be a power of two stored as UINT32, not " + value));
        }

        private GgufTensorInfo tensorInfo(long alignment) throws IOException {
            String name = string();
            part = "info of tensor \"" + name + "\"";
            long dimensions = in.u32();
            if (dimensions < 1 || dimensions > MAX_DIMENSIONS) {
                throw fail("tensor \"" + name + "\" has " + dimensions + " dimensions (1 to " + MAX_DIMENSIONS + ")");
            }
            List<Long> shape = new ArrayList<>();
            long elements = 1;
            for (int d = 0; d < dimensions; d++) {
                long dimension = in.i64();
                if (dimension < 0 || (dimension > 0 && elements > Long.MAX_VALUE / dimension)) {
                    throw fail("tensor \"" + name + "\" has an absurd dimension " + Long.toUnsignedString(dimension));
                }
                elements *= dimension;
                shape.add(dimension);
            }
            long typeId = in.u32();
            GgmlType type = GgmlType.byId(typeId)
                    .orElseThrow(() -> fail("tensor \"" + name + "\" has unknown ggml type " + typeId));
            if (shape.getFirst() % type.blockSize() != 0) {
                throw fail("tensor \"" + name + "\" rows of " + shape.getFirst() + " values are not a whole number of "
                        + type + " blocks of " + type.blockSize());
            }
            long offset = in.i64();
            if (offset < 0 || offset % alignment != 0) {
                throw fail("tensor \"" + name + "\" has a bad data offset " + Long.toUnsignedString(offset)
                        + " (alignment " + alignment + ", file size " + size + ")");
            }
            return new GgufTensorInfo(name, shape, type, offset);
        }

        private static String describeMagic(int magic) {
            StringBuilder text = new StringBuilder("0x");
            for (int i = 0; i < 4; i++) {
                text.append(String.format("%02x", (magic >>> (8 * i)) & 0xFF));
            }
            return text.toString();
        }
    }

    static long alignUp(long position, long alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }
}
