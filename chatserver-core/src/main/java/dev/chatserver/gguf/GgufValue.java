package dev.chatserver.gguf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A typed GGUF metadata value. Integers of every width share {@link IntValue} (the width is its
 * {@link IntValue#type()}), floats share {@link FloatValue}; arrays hold values of one element type.
 *
 * <p>Immutable; safe on any thread.
 */
public sealed interface GgufValue {

    /** The type this value is stored as. */
    GgufValueType type();

    /**
     * An integer of any width. Unsigned 64-bit values above {@link Long#MAX_VALUE} are kept as their two's
     * complement bits (read them with {@link Long#toUnsignedString(long)}).
     *
     * @param type  one of the integer types
     * @param value the value, within the range of {@code type}
     */
    record IntValue(GgufValueType type, long value) implements GgufValue {
        /** Checks that {@code type} is an integer type and {@code value} fits it. */
        public IntValue {
            Objects.requireNonNull(type, "type");
            long min;
            long max;
            switch (type) {
                case UINT8 -> { min = 0; max = 0xFFL; }
                case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
                case UINT16 -> { min = 0; max = 0xFFFFL; }
                case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
                case UINT32 -> { min = 0; max = 0xFFFF_FFFFL; }
                case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
                case UINT64, INT64 -> { min = Long.MIN_VALUE; max = Long.MAX_VALUE; }
                default -> throw new IllegalArgumentException(type + " is not an integer type");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException(value + " does not fit " + type);
            }
        }
    }

    /**
     * A floating-point number.
     *
     * @param type  {@link GgufValueType#FLOAT32} or {@link GgufValueType#FLOAT64}
     * @param value the value (a FLOAT32 value is exactly representable as a float)
     */
    record FloatValue(GgufValueType type, double value) implements GgufValue {
        /** Checks that {@code type} is a float type. */
        public FloatValue {
            if (!Objects.requireNonNull(type, "type").isFloat()) {
                throw new IllegalArgumentException(type + " is not a float type");
            }
            if (type == GgufValueType.FLOAT32) {
                value = (float) value;
            }
        }
    }

    /** A boolean. @param value the value */
    record BoolValue(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }
    }

    /** A UTF-8 string. @param value the value */
    record StringValue(String value) implements GgufValue {
        /** Rejects null. */
        public StringValue {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }
    }

    /**
     * An array whose elements all have one type.
     *
     * @param elementType the type of every element
     * @param elements    the elements, in file order (copied, unmodifiable)
     */
    record ArrayValue(GgufValueType elementType, List<GgufValue> elements) implements GgufValue {
        /** Copies the elements and checks their types. */
        public ArrayValue {
            Objects.requireNonNull(elementType, "elementType");
            elements = List.copyOf(elements);
            for (GgufValue element : elements) {
                if (element.type() != elementType) {
                    throw new IllegalArgumentException(
                            "array of " + elementType + " holds a " + element.type() + " element");
                }
            }
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        /** The elements as strings. @throws IllegalStateException if they are not strings */
        public List<String> strings() {
            requireElementType(GgufValueType.STRING);
            List<String> result = new ArrayList<>(elements.size());
            elements.forEach(element -> result.add(((StringValue) element).value()));
            return result;
        }

        private void requireElementType(GgufValueType expected) {
            if (elementType != expected) {
                throw new IllegalStateException("array of " + elementType + ", not of " + expected);
            }
        }
    }

    /** A string value. */
    static GgufValue of(String value) {
        return new StringValue(value);
    }

    /** A boolean value. */
    static GgufValue of(boolean value) {
        return new BoolValue(value);
    }

    /** An unsigned 32-bit value. */
    static GgufValue uint32(long value) {
        return new IntValue(GgufValueType.UINT32, value);
    }

    /** A signed 32-bit value. */
    static GgufValue int32(int value) {
        return new IntValue(GgufValueType.INT32, value);
    }

    /** A 32-bit float value. */
    static GgufValue float32(float value) {
        return new FloatValue(GgufValueType.FLOAT32, value);
    }

    /** An array of strings. */
    static GgufValue stringArray(List<String> values) {
        return new ArrayValue(GgufValueType.STRING, values.stream().map(GgufValue::of).toList());
    }

    /** An array of 32-bit floats. */
    static GgufValue float32Array(float[] values) {
        List<GgufValue> elements = new ArrayList<>(values.length);
        for (float value : values) {
            elements.add(float32(value));
        }
        return new ArrayValue(GgufValueType.FLOAT32, elements);
    }

    /** An array of signed 32-bit integers. */
    static GgufValue int32Array(int[] values) {
        List<GgufValue> elements = new ArrayList<>(values.length);
        for (int value : values) {
            elements.add(int32(value));
        }
        return new ArrayValue(GgufValueType.INT32, elements);
    }
}
