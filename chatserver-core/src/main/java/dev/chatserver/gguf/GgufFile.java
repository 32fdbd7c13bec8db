package dev.chatserver.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Header, metadata and tensor directory of a GGUF file (never its tensor data), as read by {@link GgufReader}.
 *
 * <p>Immutable; safe on any thread.
 *
 * @param version    GGUF format version (2 or 3)
 * @param metadata   metadata key/value pairs in file order (unmodifiable)
 * @param tensors    tensor infos in file order (unmodifiable)
 * @param alignment  data alignment in bytes ({@code general.alignment}, 32 when absent)
 * @param dataOffset absolute byte offset of the data section, where tensor offsets start
 */
public record GgufFile(int version, Map<String, GgufValue> metadata, List<GgufTensorInfo> tensors,
                       long alignment, long dataOffset) {

    /** The default alignment when a file has no {@code general.alignment}. */
    public static final int DEFAULT_ALIGNMENT = 32;

    /** Copies metadata (keeping order) and tensors. */
    public GgufFile {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /** The value of a metadata key. */
    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** The value of a string key; empty when absent or not a string. */
    public Optional<String> string(String key) {
        return metadata.get(key) instanceof GgufValue.StringValue s ? Optional.of(s.value()) : Optional.empty();
    }

    /** The value of an integer key of any width; empty when absent or not an integer. */
    public OptionalLong integer(String key) {
        return metadata.get(key) instanceof GgufValue.IntValue i ? OptionalLong.of(i.value()) : OptionalLong.empty();
    }

    /** The value of an array key; empty when absent or not an array. */
    public Optional<GgufValue.ArrayValue> array(String key) {
        return metadata.get(key) instanceof GgufValue.ArrayValue a ? Optional.of(a) : Optional.empty();
    }

    /** {@code general.architecture}, e.g. {@code llama}. */
    public Optional<String> architecture() {
        return string("general.architecture");
    }

    /**
     * The alignment a {@code general.alignment} value stands for: 32 when absent, else a power of two stored as
     * UINT32; empty for anything else.
     */
    static OptionalLong alignmentOf(GgufValue value) {
        if (value == null) {
            return OptionalLong.of(DEFAULT_ALIGNMENT);
        }
        return value instanceof GgufValue.IntValue(var type, long alignment) && type == GgufValueType.UINT32
                && alignment > 0 && Long.bitCount(alignment) == 1 ? OptionalLong.of(alignment) : OptionalLong.empty();
    }

    /** The tensor with this name. */
    public Optional<GgufTensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
