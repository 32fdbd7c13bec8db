package dev.chatserver.gguf;

import java.util.Optional;

/**
 * Types of GGUF metadata values, with the ids stored in the file.
 *
 * <p>Immutable; safe on any thread.
 */
public enum GgufValueType {
    /** Unsigned 8-bit integer. */
    UINT8(0, 1),
    /** Signed 8-bit integer. */
    INT8(1, 1),
    /** Unsigned 16-bit integer. */
    UINT16(2, 2),
    /** Signed 16-bit integer. */
    INT16(3, 2),
    /** Unsigned 32-bit integer. */
    UINT32(4, 4),
    /** Signed 32-bit integer. */
    INT32(5, 4),
    /** 32-bit IEEE float. */
    FLOAT32(6, 4),
    /** Boolean stored as one byte (0 or 1). */
    BOOL(7, 1),
    /** UTF-8 string: uint64 byte length, then the bytes (no terminator). */
    STRING(8, 8),
    /** Array: uint32 element type, uint64 count, then the elements. */
    ARRAY(9, 12),
    /** Unsigned 64-bit integer. */
    UINT64(10, 8),
    /** Signed 64-bit integer. */
    INT64(11, 8),
    /** 64-bit IEEE float. */
    FLOAT64(12, 8);

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** The id stored in the file. */
    public int id() {
        return id;
    }

    /** The fewest bytes one value of this type takes in the file (used to reject absurd array counts). */
    public int minBytes() {
        return minBytes;
    }

    /** Whether values of this type are integers ({@link GgufValue.IntValue}). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Whether values of this type are floating point ({@link GgufValue.FloatValue}). */
    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with this id, or empty for an unknown id. */
    public static Optional<GgufValueType> byId(long id) {
        for (GgufValueType type : values()) {
            if (type.id == id) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
